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
import math
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
    an over-long text, a control character in the column) goes through `ws.cell`, the
    control characters dropped (openpyxl refuses them)."""
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
            if kind is str and not plain:  # a control character: no spreadsheet holds one
                value = ILLEGAL_CHARACTERS_RE.sub("", value)  # type: ignore[arg-type]
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
    """The annotated copy of the verdict's file, written atomically at `out`."""
    tmp = out.with_name(f".{out.name}.part")
    _save(workbook(v), tmp)
    tmp.replace(out)
    return out


def workbook(v: FileVerdict) -> Any:
    """The annotated copy as an openpyxl workbook: the problems listed first, then every
    sheet of the file with its problem cells marked."""
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
    return wb


def _row_xml(row_idx: int, row: list[Any], letters: dict[int, str]) -> str | None:
    """A row of cells of text, numbers or dates with no comment or link, as openpyxl writes
    it (`lxml_write_cell`); None for a row holding any other cell (openpyxl writes it)."""
    from openpyxl.compat import safe_string
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel

    parts = []
    for cell in row:
        value = cell._value
        style = cell._style
        styled = style is not None and any(style)
        if cell._comment is not None or cell._hyperlink is not None:
            return None
        if value is None:
            if styled:
                return None
            continue
        letter = letters.get(cell.column)
        if letter is None:
            letter = letters[cell.column] = get_column_letter(cell.column)
        s = f' s="{cell.style_id}"' if styled else ""
        kind = type(value)
        if kind is str and cell.data_type == "s" and value:
            text = value
            if "&" in text or "<" in text or ">" in text or "\r" in text:
                text = (
                    text.replace("&", "&amp;")
                    .replace("<", "&lt;")
                    .replace(">", "&gt;")
                    .replace("\r", "&#13;")
                )
            space = ' xml:space="preserve"' if value != value.strip() else ""
            parts.append(
                f'<c r="{letter}{row_idx}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
            )
        elif (kind is int or kind is float) and cell.data_type == "n" and math.isfinite(value):
            parts.append(f'<c r="{letter}{row_idx}"{s} t="n"><v>{safe_string(value)}</v></c>')
        elif kind is dt.date and cell.data_type == "d" and not cell.parent.parent.iso_dates:
            serial = safe_string(to_excel(value, cell.parent.parent.epoch))
            parts.append(f'<c r="{letter}{row_idx}"{s} t="n"><v>{serial}</v></c>')
        else:
            return None
    if not parts:
        return None
    return f'<row r="{row_idx}">{"".join(parts)}</row>'


def _save(wb: Any, path: Path) -> None:
    """openpyxl's `Workbook.save`, with the runs of rows made only of plain cells
    (`_row_xml`: every row of a partner's but those with a problem marked) written as one
    piece of XML that lxml parses and writes back, instead of cell by cell: the same bytes,
    several times faster."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from lxml import etree
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    parser = etree.XMLParser(huge_tree=True, resolve_entities=False)

    class RowsWriter(WorksheetWriter):
        def write_rows(self) -> None:
            xf = self.xf.send(True)
            run: list[str] = []

            def flush() -> None:
                if run:
                    for row in etree.fromstring(f"<x>{''.join(run)}</x>".encode(), parser):
                        xf.write(row)
                    run.clear()

            with xf.element("sheetData"):
                dims = self.ws.row_dimensions
                letters: dict[int, str] = {}
                for row_idx, row in self.rows():
                    xml = None if row_idx in dims else _row_xml(row_idx, row, letters)
                    if xml is not None:
                        run.append(xml)
                        continue
                    flush()
                    self.write_row(xf, row, row_idx)
                flush()
            self.xf.send(None)

    class Writer(ExcelWriter):
        def write_worksheet(self, ws: Any) -> None:  # ExcelWriter's, with RowsWriter
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = RowsWriter(ws)
            writer.write()
            ws._rels = writer._rels
            self._archive.write(writer.out, ws.path[1:])
            self.manifest.append(ws)
            writer.cleanup()

    with ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        Writer(wb, archive).write_data()
