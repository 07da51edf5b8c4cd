"""The partner's workbook back, with problem cells highlighted and commented.

An .xlsx/.xlsm is annotated in place (a copy: macros are not kept, nothing runs); other
formats are rebuilt as .xlsx with the partner's rows at the same row numbers and columns.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.issues import ERROR
from pipelines.validation.evaluate import FileVerdict

RED = "FFF8B4B4"
YELLOW = "FFFFE699"


def annotated_workbook(v: FileVerdict, out: Path) -> Path:
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    src = v.drop.path
    if src.suffix.lower() in (".xlsx", ".xlsm"):
        wb = load_workbook(src)
    else:
        wb = Workbook()
        wb.remove(wb.active)
        for name, table in v.tables.items():
            ws = wb.create_sheet(table.sheet or name)
            for canonical, j in table.positions.items():
                ws.cell(row=table.header_row, column=j + 1, value=table.headers[canonical])
                for r, value in zip(table.rows, table.values[canonical], strict=True):
                    if value is not None:
                        ws.cell(row=r, column=j + 1, value=value)
    for issue in v.issues:
        if issue.row is None:
            continue
        found = next((t for n, t in v.tables.items() if (t.sheet or n) == issue.sheet), None)
        if found is None:
            continue
        table = found
        sheet = wb[table.sheet] if table.sheet and table.sheet in wb.sheetnames else \
            wb[issue.sheet] if issue.sheet in wb.sheetnames else None
        if sheet is None:
            continue
        col = next((j for c, j in table.positions.items() if table.headers[c] == issue.column),
                   None)
        cell = sheet.cell(row=issue.row, column=(col if col is not None else 0) + 1)
        color = RED if issue.severity == ERROR else YELLOW
        cell.fill = PatternFill(start_color=color, end_color=color, fill_type="solid")
        text = f"{'Errore' if issue.severity == ERROR else 'Avviso'}: {issue.message}"
        if issue.expected:
            text += f"\nAtteso: {issue.expected}"
        if cell.comment is not None:
            text = f"{cell.comment.text}\n\n{text}"
        cell.comment = Comment(text, "Osservatorio", width=320, height=140)
    tmp = out.with_name(f".{out.name}.part")
    wb.save(tmp)
    tmp.replace(out)
    return out
