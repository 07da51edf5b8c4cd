"""Lay canonical rows out as the partner's sheet: title rows, headers, quirks, totals.

The result is a grid of typed cell values (str, int, float, Decimal, date, None; in xlsx a
totals cell may be a `=SUM(...)` formula string) that a writer turns into bytes, plus where
the header is, so that issues get the row number and header the partner sees.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.utils import get_column_letter

from pipelines import reference
from pipelines.ingestion.columns import INTERVENTI, NO_FIXED_ABODE, SPESE
from pipelines.synthetic.habits import Habits
from pipelines.synthetic.names import MONTHS_IT
from pipelines.synthetic.people import Person

NOTE_HEADER = "Note operatore"
_NOTES = ("richiesta urgente", "seguito da AS", "rinnovo", "primo accesso", "da ricontattare")

Row = dict[str, object]


@dataclass(frozen=True)
class Sheet:
    name: str  # the sheet name as written (for a CSV: the table name)
    table: str  # interventi | spese
    grid: list[list[object]]
    header_row: int  # 1-based spreadsheet row of the header
    headers: dict[str, str]  # canonical column (or extra header) -> header as written

    def row_number(self, index: int) -> int:
        """Spreadsheet row (1-based, title rows and header counted) of data row `index`."""
        return self.header_row + 1 + index


def _crc(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def _leading(habits: Habits, title: str, period: str) -> list[list[object]]:
    y, m = period.split("-")
    out: list[list[object]] = []
    for kind in habits.leading_rows:
        if kind == "" and habits.format == "csv":
            kind = "S"  # no blank lines in CSV: many CSV readers skip them and shift rows
        if kind == "T":
            out.append([title])
        elif kind == "S":
            out.append([f"Periodo: {MONTHS_IT[int(m) - 1]} {y}"])
        else:
            out.append([])
    return out


def _comune(habits: Habits, value: object, key: object) -> object:
    code = str(value)
    row = reference.municipalities().get(code)
    if value is None or code == NO_FIXED_ABODE or row is None or habits.comune_style == "code":
        return value
    if habits.comune_style == "mixed" and _crc(key, code) % 2:
        return value
    name = row["municipality_name"]
    if reference.fold_name(name) not in reference.municipality_by_name():
        return value  # a name shared by two municipalities: only the code is unambiguous
    return name.upper() if _crc(code, key) % 7 == 0 else name


def _codice_fiscale(habits: Habits, value: object) -> object:
    if value is None or habits.cf_style == "upper":
        return value
    code = str(value)
    if habits.cf_style == "lower":
        return code.lower()
    k = _crc(code) % 30
    return code.lower() if k == 0 else f"{code} " if k == 1 else f" {code}" if k == 2 else code


def _identifier(header: str, person: Person | None) -> object:
    if person is None:
        return None
    if header == "Telefono":
        return f"3{person.pid * 37 % 60 + 20:02d} {person.pid * 7919 % 10_000_000:07d}"
    return f"{person.surname.title()} {person.name.title()}"


def interventi_sheet(
    rows: list[Row],
    habits: Habits,
    period: str,
    partner_name: str,
    identifier_header: str | None = None,
) -> Sheet:
    heads = habits.interventi_headers
    keys = [c.name for c in INTERVENTI]
    headers = {k: heads[k] for k in keys}
    if identifier_header:
        keys.insert(keys.index("codice_fiscale") + 1, identifier_header)
        headers[identifier_header] = identifier_header
    if habits.note_column:
        keys.append(NOTE_HEADER)
        headers[NOTE_HEADER] = NOTE_HEADER
    grid = _leading(habits, f"Rendiconto mensile interventi - {partner_name}", period)
    header_row = len(grid) + 1
    grid.append([headers[k] for k in keys])
    for r in rows:
        out: list[object] = []
        for k in keys:
            if k == "codice_fiscale":
                out.append(_codice_fiscale(habits, r[k]))
            elif k == "comune_residenza":
                out.append(_comune(habits, r[k], r["codice_nucleo"]))
            elif k == "anonimo":
                out.append(None if habits.anonimo_only_si and r[k] == "NO" else r[k])
            elif k == identifier_header:
                out.append(_identifier(k, r["_person"]))  # type: ignore[arg-type]
            elif k == NOTE_HEADER:
                c = _crc(r["id_intervento"], r["codice_nucleo"])
                out.append(_NOTES[c % len(_NOTES)] if c % 6 == 0 else None)
            else:
                out.append(r[k])
        grid.append(out)
    if habits.totals_row:
        grid.append(_totals(keys, rows, ("importo_euro",), habits, header_row))
    return Sheet(
        habits.interventi_sheet if habits.format != "csv" else "interventi",
        "interventi",
        grid,
        header_row,
        headers,
    )


def spese_sheet(rows: list[Row], habits: Habits, period: str, partner_name: str) -> Sheet:
    keys = [c.name for c in SPESE]
    headers = {k: habits.spese_headers[k] for k in keys}
    grid = _leading(habits, f"Rendiconto spese - {partner_name}", period)
    header_row = len(grid) + 1
    grid.append([headers[k] for k in keys])
    grid += [[r[k] for k in keys] for r in rows]
    if habits.totals_row:
        grid.append(
            _totals(keys, rows, ("importo_totale", "quota_cofinanziamento"), habits, header_row)
        )
    name = habits.spese_sheet if habits.format != "csv" and habits.spese_sheet else "spese"
    return Sheet(name, "spese", grid, header_row, headers)


def _totals(
    keys: list[str], rows: list[Row], summed: tuple[str, ...], habits: Habits, header_row: int
) -> list[object]:
    out: list[object] = ["Totale"] + [None] * (len(keys) - 1)
    for k in summed:
        j = keys.index(k)
        if habits.formula_totals:
            col = get_column_letter(j + 1)
            out[j] = f"=SUM({col}{header_row + 1}:{col}{header_row + len(rows)})"
        else:
            out[j] = sum((v for r in rows if isinstance(v := r[k], Decimal)), Decimal("0.00"))
    return out
