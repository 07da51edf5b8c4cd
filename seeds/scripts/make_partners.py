"""Write seeds/partners.csv: 28 placeholder partners with budget allocations.

Names, consortium membership and allocations are placeholders until the real registry
is loaded. Allocations add up to EUR 1,800,000, of which EUR 1,418,784 from the Comune.
Run: python seeds/scripts/make_partners.py
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

TOTAL = Decimal("1800000")
COMUNE = Decimal("1418784")
# Relative weights: a few larger cooperatives, many small associations.
WEIGHTS = [9, 7, 6, 5, 5, 4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 8, 6, 5, 4, 4, 3, 3, 3, 2, 2, 2, 2, 1]
SUL_SERIO = 15  # P01..P15 Consorzio sul Serio, P16..P28 Fondazione Caritas


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "partners.csv"
    wsum = sum(WEIGHTS)
    budgets = [(TOTAL * w / wsum).quantize(Decimal("1"), ROUND_HALF_UP) for w in WEIGHTS]
    budgets[0] += TOTAL - sum(budgets)
    comune = [(b * COMUNE / TOTAL).quantize(Decimal("1"), ROUND_HALF_UP) for b in budgets]
    comune[0] += COMUNE - sum(comune)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "partner_code",
                "partner_name",
                "consortium_code",
                "budget_eur",
                "comune_eur",
                "cofinancing_eur",
                "active_from",
                "active_to",
                "is_placeholder",
            ]
        )
        for i, (b, c) in enumerate(zip(budgets, comune, strict=True), start=1):
            code = f"P{i:02d}"
            w.writerow(
                [
                    code,
                    f"Ente partner {i:02d} (segnaposto)",
                    "SUL_SERIO" if i <= SUL_SERIO else "CARITAS",
                    f"{b:.2f}",
                    f"{c:.2f}",
                    f"{b - c:.2f}",
                    "",
                    "",
                    "true",
                ]
            )


if __name__ == "__main__":
    main()
