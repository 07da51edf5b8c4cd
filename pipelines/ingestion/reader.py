"""Read a partner's file into tables of cell texts, keeping each row's spreadsheet number.

Formats: .xlsx/.xlsm/.xls/.ods through python-calamine (macros never run), .csv with the
separator, encoding and decimal comma detected. Sheets are found by name, the header row
under any title rows, a trailing totals row is dropped, headers are matched by normalised
name and alias. Values stay text here (numbers in their shortest form, dates as ISO); the
validation stage types them, so that a value found can always be shown back as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.ingestion.columns import (
    TABLES,
    header_lookup,
    looks_like_identifier,
    normalise_header,
)
from pipelines.ingestion.filetypes import precheck
from pipelines.issues import Issue, file_issue

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 50
MIN_HEADER_MATCHES = 3
# A totals label is the whole cell ("Totale", "TOTALE marzo:", "Tot."), never an id like
# "TOT-2026-004".
_TOTALS = re.compile(
    r"^\s*(?:(?:totale|totali|total|somma|subtotale)(?:[\s:.].*)?|tot\.?)\s*$", re.IGNORECASE
)
# Columns that every intervention or expense row fills: a trailing row without any of them
# is a totals row (sums under the amounts), not data.
_ROW_KEYS = {
    "interventi": (
        "id_intervento",
        "codice_fiscale",
        "sesso",
        "area",
        "tipo_intervento",
        "data_intervento",
    ),
    "spese": ("voce", "area"),
}


@dataclass
class RawTable:
    """One table of a file: cell texts by canonical column, plus where each came from."""

    table: str
    sheet: str | None
    header_row: int
    headers: dict[str, str]  # canonical column -> header as written by the partner
    values: dict[str, list[str | None]]
    rows: list[int]  # spreadsheet row number (1-based) of each data row
    decimal_comma: bool = False
    positions: dict[str, int] = field(default_factory=dict)  # canonical -> 0-based column

    def header_at(self, column_index: int) -> str | None:
        for name, j in self.positions.items():
            if j == column_index:
                return self.headers[name]
        return None

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class ReadResult:
    tables: dict[str, RawTable] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


def cell_text(value: object) -> str | None:
    """A cell as the text the partner would recognise; None when blank."""
    kind = type(value)
    if kind is str:  # the common case first: most cells are text
        text = str(value).strip()
        return text or None
    if value is None:
        return None
    if isinstance(value, float) and kind is float:
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if kind is bool:
        return "SI" if value else "NO"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def read_file(path: Path, max_bytes: int = 50 * 1024**2) -> ReadResult:
    """Read any accepted file; every problem becomes an Issue, never an exception."""
    try:
        issues = precheck(path, max_bytes)
        if issues:
            return ReadResult(issues=issues)
        if path.suffix.lower() == ".csv":
            return _read_csv(path)
        return _read_workbook(path)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # hostile or damaged input must never escape as a trace
        # (calamine reports some damaged files as a Rust panic, a BaseException)
        log.warning("unreadable file %s: %s", path.name, type(exc).__name__)
        return ReadResult(issues=[file_issue("file_unreadable")])


# --- workbooks -------------------------------------------------------------------------


def _read_workbook(path: Path) -> ReadResult:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        return ReadResult(issues=[file_issue("file_password_protected")])
    except Exception:
        return ReadResult(issues=[file_issue("file_unreadable")])
    try:
        sheets = {name: None for name in wb.sheet_names}
        grids: dict[str, list] = {}

        def grid(name: str) -> list[list[object]]:
            if name not in grids:
                grids[name] = list(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            return grids[name]

        result = ReadResult()
        by_folded = {n.strip().lower(): n for n in sheets}
        main = by_folded.get("interventi")
        if main is None:
            candidates = [n for n in sheets if _find_header(grid(n), "interventi") is not None]
            if len(candidates) == 1:
                main = candidates[0]
                result.issues.append(file_issue("sheet_fallback", sheet=main))
            else:
                result.issues.append(file_issue("sheet_missing"))
                return result
        _add_table(result, "interventi", main, grid(main))
        spese = by_folded.get("spese")
        if spese is not None:
            _add_table(result, "spese", spese, grid(spese), optional_empty=True)
    finally:
        wb.close()
    if path.suffix.lower() in {".xlsx", ".xlsm"} and result.readable:
        _check_formulas(path, result)
    return result


def _find_header(grid: list[list[object]], table: str) -> int | None:
    lookup = header_lookup(table)
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        hits = {lookup[n] for n in (normalise_header(c) for c in row) if n in lookup}
        if len(hits) >= MIN_HEADER_MATCHES:
            return i
    return None


def _add_table(
    result: ReadResult,
    table: str,
    sheet: str | None,
    grid: list[list[object]],
    optional_empty: bool = False,
    decimal_comma: bool = False,
) -> None:
    """Find the header in `grid` (rows as read, index 0 = spreadsheet row 1) and collect."""
    h = _find_header(grid, table)
    if h is None:
        if optional_empty and not any(cell_text(c) for row in grid for c in row):
            return  # an untouched optional sheet delivers nothing
        result.issues.append(file_issue("header_not_found", sheet=sheet))
        return
    lookup = header_lookup(table)
    header_cells = grid[h]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for j, cell in enumerate(header_cells):
        text = cell_text(cell)
        if text is None:
            continue
        canonical = lookup.get(normalise_header(text))
        if canonical is None:
            rule = "column_identifier_dropped" if looks_like_identifier(text) else "column_unknown"
            result.issues.append(file_issue(rule, sheet=sheet, row=h + 1, column=text))
            continue
        if canonical in positions:
            result.issues.append(
                file_issue(
                    "column_duplicate",
                    sheet=sheet,
                    row=h + 1,
                    column=text,
                    first=_col_letter(positions[canonical]),
                    second=_col_letter(j),
                )
            )
            continue
        positions[canonical] = j
        headers[canonical] = text
    required = [c for c in TABLES[table] if c.required or c.name == "codice_fiscale"]
    for col in required:
        if col.name not in positions:
            # A missing column is a file-level issue: row and column are null
            # (interfaces.md); the message names the column.
            result.issues.append(
                file_issue("column_missing", sheet=sheet, missing=col.template_header)
            )
    body = grid[h + 1 :]
    # Column by column: one pass over the cells of each known column.
    width = max(positions.values(), default=-1) + 1
    if body and min(map(len, body)) >= width:  # a sheet's rows all reach every column
        columns: list[Sequence[object]] = list(zip(*body, strict=False))  # to the shortest
    else:  # CSV rows may stop short
        columns = [[r[j] if j < len(r) else None for r in body] for j in range(width)]
    cols = {name: _column_texts(columns[j]) for name, j in positions.items()}
    keep = (
        [i for i, texts in enumerate(zip(*cols.values(), strict=True)) if any(texts)]
        if cols
        else []
    )
    # A trailing totals row (first cell "Totale", or sums under the table) is not data.
    keys = [k for k in _ROW_KEYS[table] if k in cols]
    while keep and (_is_totals_row(body[keep[-1]]) or not any(cols[k][keep[-1]] for k in keys)):
        keep.pop()
    rows = [h + 2 + i for i in keep]
    n = len(keep)
    whole = n == 0 or keep[-1] == n - 1  # no blank row inside: the first n rows as they are
    values: dict[str, list[str | None]] = {
        c.name: (cols[c.name][:n] if whole else [cols[c.name][i] for i in keep])
        if c.name in cols
        else [None] * n
        for c in TABLES[table]
    }
    if not rows and table == "interventi":
        result.issues.append(file_issue("no_rows", sheet=sheet or table))
    result.tables[table] = RawTable(
        table, sheet, h + 1, headers, values, rows, decimal_comma, positions
    )


def _column_texts(cells: Sequence[object]) -> list[str | None]:
    """[cell_text(c) ...] for the cells of a column: text cells (most of them) without a
    call, any other value converted once per column."""
    if set(map(type, cells)) == {str}:  # a column of text
        return [t or None for t in map(str.strip, cells)]  # type: ignore[arg-type]
    known: dict[tuple[type, object], str | None] = {}  # by type too: True == 1 == 1.0
    out: list[str | None] = []
    append = out.append
    for value in cells:
        kind = type(value)
        if isinstance(value, str) and kind is str:
            append(value.strip() or None)
        elif value is None:
            append(None)
        else:
            key = (kind, value)
            try:
                append(known[key])
            except KeyError:
                known[key] = text = cell_text(value)
                append(text)
            except TypeError:  # a value that cannot be a key
                append(cell_text(value))
    return out


def _is_totals_row(row: list[object]) -> bool:
    first = next((cell_text(c) for c in row if cell_text(c) is not None), None)
    return bool(first and _TOTALS.match(first))


def _col_letter(index: int) -> str:
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_CACHED = re.compile(rb"<v(?:\s[^>]*)?>[^<]")  # a value element with content; <v/> is none


def _check_formulas(path: Path, result: ReadResult) -> None:
    """Formulas saved without a computed value (some tools never compute them) are errors."""
    with zipfile.ZipFile(path) as zf:
        sheet_xml = _sheet_paths(zf)
        for table in result.tables.values():
            member = sheet_xml.get(table.sheet or "")
            if member is None:
                continue
            data = zf.read(member)
            if b"<f" not in data:
                continue
            wanted = set(table.rows)
            for m in _CELL.finditer(data):
                inner = m.group(2) or b""
                if b"<f" not in inner or _CACHED.search(inner):
                    continue
                ref = _REF.search(m.group(1))
                if not ref:
                    continue
                row = int(ref.group(2))
                if row not in wanted:
                    continue
                result.issues.append(
                    file_issue(
                        "formula_without_value",
                        sheet=table.sheet,
                        row=row,
                        column=table.header_at(_letters_to_index(ref.group(1).decode())),
                    )
                )


def _letters_to_index(letters: str) -> int:
    idx = 0
    for ch in letters:
        idx = idx * 26 + (ord(ch) - 64)
    return idx - 1


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update(
        {
            k: v
            for v, k in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
    )
    out = {}
    for name, rid in re.findall(r'<sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', wb):
        target = targets.get(rid, "")
        target = target.lstrip("/")
        out[_xml_unescape(name)] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


# --- CSV -------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> ReadResult:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        return ReadResult(issues=[file_issue("file_unreadable")])
    text = _decode(data)
    lines = text.splitlines()[:HEADER_SCAN_ROWS]
    sep = ";" if sum(ln.count(";") for ln in lines) >= sum(ln.count(",") for ln in lines) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    grid: list[list[object]] = []
    last_line = 0
    for row in reader:
        # Index rows by their first physical line: a quoted field may span lines.
        while len(grid) < last_line:
            grid.append([])
        grid.append(list(row))
        last_line = reader.line_num
    table = "spese" if "spese" in path.name.lower() else "interventi"
    result = ReadResult()
    if _find_header(grid, table) is None:
        other = "interventi" if table == "spese" else "spese"
        if _find_header(grid, other) is not None and table == "interventi":
            table = other
        else:
            result.issues.append(file_issue("csv_table_unknown"))
            return result
    _add_table(result, table, None, grid, decimal_comma=(sep == ";"))
    return result
