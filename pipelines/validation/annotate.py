"""The partner's rows back as a workbook, with every problem listed first and marked on its
cell, so a volunteer can correct the file in one round.

The copy is rebuilt from what was read, never copied byte for byte: it holds only the
columns of the template (a column that looks like a name, an address, a phone or an e-mail
is not there, nor any other column the platform ignored), and codici fiscali masked as in
the feedback. The rows keep the row numbers of the partner's file, so `riga 17` in the
feedback is row 17 here too; a missing required column is added, empty, with its header
marked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pipelines.ingestion.columns import TABLES
from pipelines.issues import ERROR, Issue
from pipelines.validation.evaluate import FileVerdict, mask

RED = "FFF8B4B4"
YELLOW = "FFFFE699"
PROBLEMS_SHEET = "Problemi"
LIST_HEADERS = ["Tipo", "Foglio", "Riga", "Colonna", "Valore trovato", "Problema", "Cosa serve"]
NUMERIC = {
    "anno_nascita",
    "componenti_nucleo",
    "minori_nucleo",
    "importo_euro",
    "ore",
    "importo_totale",
    "quota_cofinanziamento",
}


def _cell_value(column: str, text: str | None) -> object:
    """What the copy holds for a cell: masked codice fiscale, real dates and numbers where
    the text is one (so the partner's spreadsheet shows them as before), else the text."""
    if text is None:
        return None
    if column == "codice_fiscale":
        return mask(text, column)
    if column == "data_intervento" and len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    if column in NUMERIC:
        try:
            x = float(text)
        except ValueError:
            return text
        return int(x) if x.is_integer() else x
    return text


def _put_column(ws: Any, column: int, rows: list[int], values: list[object]) -> None:
    """A column of the copy at once. Plain text and numbers (nearly every cell) are placed
    as openpyxl's `ws.cell(row, column, value)` places them, without its checks cell by
    cell; anything else (a date, a text openpyxl would take for a formula or an error code,
    an over-long text, a control character in the column) goes through `ws.cell`."""
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

    texts = "\t".join(v for v in values if type(v) is str)  # a tab is a legal character
    plain = ILLEGAL_CHARACTERS_RE.search(texts) is None
    cells = ws._cells
    last = ws._current_row
    for r, value in zip(rows, values, strict=True):
        if value is None:
            continue
        kind = type(value)
        if kind is int or kind is float:
            data_type = "n"
        elif (
            kind is str
            and plain
            and len(value) <= 32767  # type: ignore[arg-type]
            and value[:1] != "="  # type: ignore[index]
            and value not in ERROR_CODES
        ):
            data_type = "s"
        else:
            cell = ws.cell(row=r, column=column, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            last = max(last, r)
            continue
        cell = Cell(ws, row=r, column=column)
        cell._value = value
        cell.data_type = data_type
        cells[(r, column)] = cell
        last = max(last, r)
    ws._current_row = last


def _where(issue: Issue) -> str:
    return "riga " + str(issue.row) if issue.row is not None else "intero file"


def annotated_workbook(v: FileVerdict, out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname

    wb = Workbook()
    listing = wb.active
    listing.title = PROBLEMS_SHEET
    listing.append(
        [
            f"Problemi del file {v.drop.name}: correggere ogni riga indicata nel "
            "vostro file originale e inviarlo di nuovo per intero."
        ]
    )
    listing["A1"].font = Font(bold=True)
    listing.append(LIST_HEADERS)
    for c in listing[2]:
        c.font = Font(bold=True)
    # sheet name -> (sheet, canonical column -> column index in the copy)
    sheets: dict[str, tuple[Any, dict[str, int]]] = {}
    for name, table in v.tables.items():
        title = (table.sheet or name)[:31]
        ws = wb.create_sheet(title)
        order = sorted(table.positions, key=lambda c: table.positions[c])
        missing = [
            c.name
            for c in TABLES[name]
            if (c.required or c.name == "codice_fiscale") and c.name not in table.positions
        ]
        where: dict[str, int] = {}
        for j, canonical in enumerate(order + missing, start=1):
            where[canonical] = j
            header = table.headers.get(canonical) or next(
                c.template_header for c in TABLES[name] if c.name == canonical
            )
            head = ws.cell(row=table.header_row, column=j, value=header)
            head.font = Font(bold=True)
            ws.column_dimensions[get_column_letter(j)].width = max(12, min(len(header) + 4, 40))
            _put_column(
                ws, j, table.rows, [_cell_value(canonical, t) for t in table.values[canonical]]
            )
        ws.freeze_panes = ws.cell(row=table.header_row + 1, column=1)
        sheets[table.sheet or name] = (ws, where)

    def target(issue: Issue):  # the cell (or header) the issue is about, if the copy has it
        found = sheets.get(issue.sheet or "")
        if found is None:
            return None
        ws, where = found
        name = next((n for n, t in v.tables.items() if (t.sheet or n) == issue.sheet), None)
        table = v.tables[name] if name else None
        if table is None:
            return None
        canonical = next((c for c, h in table.headers.items() if h == issue.column), None)
        if canonical is None and issue.rule == "column_missing" and name is not None:
            canonical = next(
                (
                    c.name
                    for c in TABLES[name]
                    if f"'{c.template_header}'" in issue.message
                    and c.name in where
                    and c.name not in table.positions
                ),
                None,
            )
            return ws.cell(row=table.header_row, column=where[canonical]) if canonical else None
        if canonical is None or canonical not in where:
            return None
        return ws.cell(row=issue.row or table.header_row, column=where[canonical])

    for issue in v.issues:
        cell = target(issue)
        listing.append(
            [
                "Errore" if issue.severity == ERROR else "Avviso",
                issue.sheet or "",
                issue.row,
                issue.column or "",
                issue.value or "",
                issue.message,
                issue.expected or "",
            ]
        )
        if cell is None:
            continue
        link = listing.cell(row=listing.max_row, column=6)  # the message leads to the cell
        link.hyperlink = f"#{quote_sheetname(cell.parent.title)}!{cell.coordinate}"
        link.font = Font(color="FF0B5394", underline="single")
        color = RED if issue.severity == ERROR else YELLOW
        cell.fill = PatternFill(start_color=color, end_color=color, fill_type="solid")
        text = f"{'Errore' if issue.severity == ERROR else 'Avviso'}: {issue.message}"
        if issue.expected:
            text += f"\nCosa serve: {issue.expected}"
        if cell.comment is not None:
            text = f"{cell.comment.text}\n\n{text}"
        cell.comment = Comment(text, "Osservatorio", width=340, height=150)
    for letter, width in zip("ABCDEFG", (9, 12, 7, 24, 22, 60, 60), strict=True):
        listing.column_dimensions[letter].width = width
    for row in listing.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    tmp = out.with_name(f".{out.name}.part")
    wb.save(tmp)
    tmp.replace(out)
    return out
