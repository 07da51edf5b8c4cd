"""The HTML page around the report and the scorecards: one self-contained file (inline CSS
and SVG, no script, no link to the network), readable on screen and printed to PDF."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from pipelines import formats
from pipelines.reporting.data import Cell

CSS = """
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #222;
       margin: 2em auto; max-width: 60em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #1f77b4;
     padding-bottom: 0.2em; margin-top: 1.6em; page-break-after: avoid; }
.sub { color: #555; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
.cards { display: flex; flex-wrap: wrap; gap: 0.6em; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: 0.5em 0.8em; width: 17em;
        page-break-inside: avoid; }
.card .name { font-size: 0.85em; color: #555; } .card .value { font-size: 1.5em; font-weight: bold; }
.card .delta, .card .cum { font-size: 0.85em; color: #444; }
.chart { margin: 0.8em 0; page-break-inside: avoid; } .chart svg { max-width: 100%; height: auto; }
.note { font-size: 0.85em; color: #555; }
.side { display: flex; gap: 1em; align-items: flex-start; } .side .chart { flex: 0 0 24em; }
.side-table { flex: 1 1 auto; min-width: 0; }
.side-table table { font-size: 0.75em; } .side-table td, .side-table th { padding: 0.1em 0.3em; }
@page { size: A4; margin: 16mm 14mm; }
@media print { body { margin: 0; max-width: none; } }
"""


def month_it(period: str) -> str:
    return formats.month(period)


def shown(cell: Cell, unit: str) -> str:
    """A published cell as a person reads it (`1.234`, `24.713,60 €`, `96,4 %`, `<5`)."""
    return formats.published(cell.display, unit, cell.suppressed)


def value_span(cell: Cell, code: str, window: str, scope: str, unit: str) -> str:
    """The published text of a cell, tagged so tests and readers can find it."""
    return (
        f'<span class="value" data-indicator="{escape(code)}" data-window="{window}" '
        f'data-scope="{scope}" data-suppressed="{str(cell.suppressed).lower()}">'
        f"{escape(shown(cell, unit))}</span>"
    )


def delta(now: Cell, before: Cell, unit: str) -> str:
    """Change from the previous month, only between two published (unsuppressed) numbers."""
    a, b = now.number, before.number
    if a is None or b is None:
        return "variazione sul mese precedente: non calcolabile"
    d = a - b
    if unit == "rate":
        text = formats.signed(f"{formats.number(abs(d) * 100, 1)} punti percentuali", d < 0)
    elif unit == "EUR":
        text = formats.signed(formats.money(abs(d)), d < 0)
    else:
        text = formats.signed(formats.number(abs(d)), d < 0)
    return "variazione sul mese precedente: " + text


def chart_block(chart_id: str, svg: str, rows: list[dict[str, Any]], caption: str = "") -> str:
    """An inline SVG chart with its published data (JSON, for re-use and checks)."""
    data = json.dumps(rows, ensure_ascii=False, default=str).replace("</", "<\\/")
    cap = f'<p class="note">{escape(caption)}</p>' if caption else ""
    return (
        f'<figure class="chart" id="{chart_id}" data-chart="{chart_id}">{svg}{cap}'
        f'<script type="application/json" class="chart-data">{data}</script></figure>'
    )


def table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def document(title: str, subtitle: str, sections: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="it"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{escape(title)}</h1><p class="sub">{escape(subtitle)}</p>'
        + "\n".join(sections)
        + "</body></html>\n"
    )
