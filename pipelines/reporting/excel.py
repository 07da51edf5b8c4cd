"""The Excel export for the Comune's offices: the published indicator table for a period
range, one sheet per scope, the breakdowns (partnership and consortia) and the glossary.
Suppressed cells are the text `<5`."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from pipelines.reporting.data import Warehouse

SHEETS = {"partnership": "Partenariato", "consortium": "Consorzi", "partner": "Enti"}
WINDOW_IT = {"month": "mese", "cumulative": "dall'inizio"}
LEVEL_IT = {"partnership": "partenariato", "consortium": "consorzio"}
DIMENSION_IT = {"sex": "sesso", "age_band": "classe di età", "citizenship": "cittadinanza",
                "residence": "residenza"}
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
    parts = wb.create_sheet("Disaggregazioni")
    parts.append(["Codice", "Indicatore", "Mese", "Finestra", "Livello", "Ambito", "Dimensione",
                  "Categoria", "Valore"])
    for r in wh.breakdown_table(first, last):
        parts.append([r["indicator_code"], r["indicator_name_it"], r["period"],
                      WINDOW_IT[r["window"]], LEVEL_IT[r["scope"]],
                      r["scope_code"] or "partenariato", DIMENSION_IT[r["dimension"]],
                      r["dimension_value"], _published(r["display_value"])])
    gloss = wb.create_sheet("Glossario")
    gloss.append(["Codice", "Indicatore", "Definizione", "Unità", "Area"])
    for m in wh.indicators():
        gloss.append([m["indicator_code"], m["indicator_name_it"], m["definition_it"], m["unit"],
                      m["area_label_it"] or "tutte"])
    note = wb.create_sheet("Note")
    note.append([f"Indicatori pubblicati da {first} a {last}. I conteggi di persone o nuclei "
                 "tra 1 e 4, i tassi che li contengono e le celle da cui si potrebbero "
                 "ricostruire (soppressione secondaria) sono indicati come <5. Le "
                 "disaggregazioni sono pubblicate per il partenariato e i consorzi."])
    for ws in wb.worksheets:
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
