"""The Excel export for the Comune's offices: the published indicator table for a period
range, one sheet per scope, and the glossary. Suppressed cells are the text `<5`."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from pipelines.reporting.data import Warehouse

SHEETS = {"partnership": "Partenariato", "consortium": "Consorzi", "partner": "Enti"}
WINDOW_IT = {"month": "mese", "cumulative": "dall'inizio"}
HEADERS = ["Codice", "Indicatore", "Mese", "Finestra", "Ambito", "Valore", "Unità"]


def _published(text: str | None) -> str | float | None:
    """Numbers as numbers (Excel can sum them), `<5` and empty as they are."""
    if text is None or text == "<5":
        return text
    try:
        return float(text)
    except ValueError:
        return text


def write(wh: Warehouse, first: str, last: str, out: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for scope, title in SHEETS.items():
        ws = wb.create_sheet(title)
        ws.append(HEADERS)
        for r in wh.table(scope, first, last):
            ws.append([r["indicator_code"], r["indicator_name_it"], r["period"],
                       WINDOW_IT[r["window"]], r["scope_code"] or "partenariato",
                       _published(r["display_value"]), r["unit"]])
    gloss = wb.create_sheet("Glossario")
    gloss.append(["Codice", "Indicatore", "Definizione", "Unità", "Area"])
    for m in wh.indicators():
        gloss.append([m["indicator_code"], m["indicator_name_it"], m["definition_it"], m["unit"],
                      m["area_label_it"] or "tutte"])
    note = wb.create_sheet("Note")
    note.append([f"Indicatori pubblicati da {first} a {last}. I conteggi di persone o nuclei "
                 "tra 1 e 4 e i tassi con denominatore inferiore a 5 sono indicati come <5."])
    for ws in wb.worksheets:
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
