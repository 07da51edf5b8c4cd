"""The partners' e-mail addresses: reference data beside the partner registry.

`seeds/partner_contacts.csv` (partner_code,email) holds placeholders until the real address
book is loaded; it is not a dbt seed, so the addresses never enter the warehouse.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipelines import reference

CONTACTS_FILE = reference.SEEDS_DIR / "partner_contacts.csv"


def partner_addresses(path: Path = CONTACTS_FILE) -> dict[str, str]:
    """Partner code -> address (partners without an address are left out)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            r["partner_code"].strip().upper(): r["email"].strip()
            for r in csv.DictReader(fh)
            if (r.get("partner_code") or "").strip() and (r.get("email") or "").strip()
        }
