"""Write seeds/targets.csv: the yearly commitments of the co-design plan, as placeholders.

Until the partnership loads its real plan, every row is a placeholder (`is_placeholder`),
derived from the reference data so that it is plausible:
- persons reached (REACH_PERSONS): 2,400 in the first year and 2,600 a year after, for the
  partnership; each partner's share is its share of the budget (at least 10 persons), and a
  consortium's target is the sum of its partners' (a person served by two partners counts
  for both);
- households helped with involuntary arrears (CASA_ARREARS_HOUSEHOLDS): 200 a year, split
  between the consortia by budget;
- persons in job paths (LAV_PERSONS) 800 a year, support administrations opened
  (LEG_ADS_OPENED) 300 a year, for the partnership;
- spending (FIN_SPEND_EUR): a fifth of each allocation a year, at every scope.
Only counts and sums have targets: progress towards a yearly figure is measured on the `year`
window, which a rate does not accumulate.
Run: python seeds/scripts/make_targets.py
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent
YEARS = range(2026, 2031)
PERSONS = {2026: 2400}  # later years: PERSONS_LATER
PERSONS_LATER = 2600
PARTNERSHIP_ONLY = {"LAV_PERSONS": 800, "LEG_ADS_OPENED": 300}
ARREARS_HOUSEHOLDS = 200
MIN_PARTNER_PERSONS = 10


def _whole(x: Decimal) -> int:
    return int(x.quantize(Decimal("1"), ROUND_HALF_UP))


def main() -> None:
    with (SEEDS / "partners.csv").open(encoding="utf-8") as fh:
        partners = list(csv.DictReader(fh))
    budget = {p["partner_code"]: Decimal(p["budget_eur"]) for p in partners}
    consortium = {p["partner_code"]: p["consortium_code"] for p in partners}
    consortia = sorted(set(consortium.values()))
    total = sum(budget.values())
    rows: list[tuple[str, str, str, int, str]] = []
    for year in YEARS:
        persons = PERSONS.get(year, PERSONS_LATER)
        partner_persons = {
            code: max(MIN_PARTNER_PERSONS, _whole(persons * b / total))
            for code, b in budget.items()
        }
        rows.append(("REACH_PERSONS", "partnership", "", year, str(persons)))
        for c in consortia:
            members = [code for code in budget if consortium[code] == c]
            rows.append(
                (
                    "REACH_PERSONS",
                    "consortium",
                    c,
                    year,
                    str(sum(partner_persons[m] for m in members)),
                )
            )
        for code in budget:
            rows.append(("REACH_PERSONS", "partner", code, year, str(partner_persons[code])))
        rows.append(("CASA_ARREARS_HOUSEHOLDS", "partnership", "", year, str(ARREARS_HOUSEHOLDS)))
        for c in consortia:
            share = sum(b for code, b in budget.items() if consortium[code] == c) / total
            rows.append(
                (
                    "CASA_ARREARS_HOUSEHOLDS",
                    "consortium",
                    c,
                    year,
                    str(_whole(ARREARS_HOUSEHOLDS * share)),
                )
            )
        for code, target in PARTNERSHIP_ONLY.items():
            rows.append((code, "partnership", "", year, str(target)))
        rows.append(("FIN_SPEND_EUR", "partnership", "", year, f"{total / 5:.2f}"))
        for c in consortia:
            spend = sum(b for code, b in budget.items() if consortium[code] == c) / 5
            rows.append(("FIN_SPEND_EUR", "consortium", c, year, f"{spend:.2f}"))
        for code, b in budget.items():
            rows.append(("FIN_SPEND_EUR", "partner", code, year, f"{b / 5:.2f}"))
    with (SEEDS / "targets.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["indicator_code", "scope", "scope_code", "year", "target", "is_placeholder"])
        for row in rows:
            w.writerow([*row, "true"])


if __name__ == "__main__":
    main()
