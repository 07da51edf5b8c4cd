"""The Excel export for the Comune's offices: the published indicator table for a period
range, one sheet per scope, the breakdowns (partnership and consortia) and the glossary.
Suppressed cells are the text `<5`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from pipelines import formats, period
from pipelines.reporting.data import Warehouse

SHEETS = {"partnership": "Partenariato", "consortium": "Consorzi", "partner": "Enti"}
WINDOW_IT = {"month": "mese", "year": "da inizio anno", "cumulative": "dall'inizio"}
LEVEL_IT = {"partnership": "partenariato", "consortium": "consorzio"}
DIMENSION_IT = {
    "sex": "sesso",
    "age_band": "classe di età",
    "citizenship": "cittadinanza",
    "residence": "residenza",
}
HEADERS = ["Codice", "Indicatore", "Mese", "Finestra", "Ambito", "Valore", "Unità"]


# `[$-410]` is Italian: Excel and LibreOffice show `ottobre 2026` and `1.234,56 €` whatever
# the reader's own settings.
MONTH_FORMAT = "[$-410]mmmm yyyy"
NUMBER_FORMATS = {
    "EUR": "#,##0.00 [$€-410]",
    "rate": "0.0%",
    "persons": "#,##0",
    "households": "#,##0",
    "interventions": "#,##0",
}


def _published(text: str | None) -> str | float | None:
    """Numbers as numbers (Excel can sum them), `<5` as it is, nothing as `n.d.`."""
    if text is None:
        return formats.NOT_AVAILABLE
    if text == formats.SUPPRESSED:
        return text
    try:
        return float(text)
    except ValueError:
        return text


def _month(p: str) -> dt.datetime:
    return dt.datetime.combine(period.first_day(p), dt.time())


def _row(ws, values: list, month_col: int, value_col: int, unit: str) -> None:  # type: ignore[no-untyped-def]
    """Append a row, its month and its value formatted (as cells: asking the sheet for its
    last row costs a pass over every cell)."""
    month = Cell(ws, value=values[month_col - 1])
    month.number_format = MONTH_FORMAT
    value = Cell(ws, value=values[value_col - 1])
    if isinstance(value.value, float):
        value.number_format = NUMBER_FORMATS.get(unit, "#,##0.00")
    row = list(values)
    row[month_col - 1], row[value_col - 1] = month, value
    ws.append(row)


def write(wh: Warehouse, first: str, last: str, out: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for scope, title in SHEETS.items():
        ws = wb.create_sheet(title)
        ws.append(HEADERS)
        for r in wh.table(scope, first, last):
            _row(
                ws,
                [
                    r["indicator_code"],
                    r["indicator_name_it"],
                    _month(r["period"]),
                    WINDOW_IT[r["window"]],
                    r["scope_code"] or "partenariato",
                    _published(r["display_value"]),
                    formats.unit_it(r["unit"]),
                ],
                3,
                6,
                r["unit"],
            )
    parts = wb.create_sheet("Disaggregazioni")
    parts.append(
        [
            "Codice",
            "Indicatore",
            "Mese",
            "Finestra",
            "Livello",
            "Ambito",
            "Dimensione",
            "Categoria",
            "Valore",
        ]
    )
    units = {m["indicator_code"]: m["unit"] for m in wh.indicators()}
    for r in wh.breakdown_table(first, last):
        _row(
            parts,
            [
                r["indicator_code"],
                r["indicator_name_it"],
                _month(r["period"]),
                WINDOW_IT[r["window"]],
                LEVEL_IT[r["scope"]],
                r["scope_code"] or "partenariato",
                DIMENSION_IT[r["dimension"]],
                r["label_it"],
                _published(r["display_value"]),
            ],
            3,
            9,
            units.get(r["indicator_code"], ""),
        )
    gloss = wb.create_sheet("Glossario")
    gloss.append(["Codice", "Indicatore", "Definizione", "Unità", "Area"])
    for m in wh.indicators():
        gloss.append(
            [
                m["indicator_code"],
                m["indicator_name_it"],
                m["definition_it"],
                formats.unit_it(m["unit"]),
                m["area_label_it"] or "tutte",
            ]
        )
    note = wb.create_sheet("Note")
    note.append(
        [
            f"Indicatori pubblicati da {formats.month(first)} a {formats.month(last)}. "
            "I conteggi di persone o nuclei "
            "tra 1 e 4, i tassi che li contengono e le celle da cui si potrebbero "
            "ricostruire (soppressione secondaria) sono indicati come <5. Le "
            "disaggregazioni sono pubblicate per il partenariato e i consorzi."
        ]
    )
    for ws in wb.worksheets:
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
