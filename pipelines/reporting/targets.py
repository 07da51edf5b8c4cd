"""The report's section on the year's targets: progress against each target of the co-design
plan (marts.indicator_targets) and the progress expected by the month. Published columns
only: where the actual is suppressed, so are its progress and its status."""

from __future__ import annotations

from html import escape
from typing import Any

import altair as alt

from pipelines import formats
from pipelines.reporting import charts, page
from pipelines.reporting.data import Warehouse

STATUS_IT = {"achieved": "raggiunto", "on_track": "in linea", "behind": "in ritardo"}


def rows(wh: Warehouse, period: str, scope: str, scope_code: str | None) -> list[dict[str, Any]]:
    """The published rows of the scope's targets at `period`, in the catalogue's order."""
    return wh.rows(
        "select t.indicator_code, t.indicator_name_it, t.unit, t.year, t.target, "
        "t.is_placeholder, t.expected, t.is_suppressed, t.actual_display, t.progress_display, "
        "t.status_display from marts.indicator_targets t "
        "where t.period = ? and t.scope = ? and t.scope_code is not distinct from ? "
        "order by t.indicator_code",
        [period, scope, scope_code],
    )


def _progress(display: str | None, suppressed: bool) -> str:
    if suppressed:
        return "<5"
    if display is None:
        return "n.d."
    return formats.percent(float(display))


def chart_rows(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chart's published data: the progress (capped at 150 %) and the expected share;
    a suppressed progress carries no number, only the label `<5`."""
    out = []
    for t in targets:
        hidden = bool(t["is_suppressed"]) or t["progress_display"] is None
        out.append(
            {
                "codice_obiettivo": t["indicator_code"],
                "indicatore": t["indicator_name_it"],
                "valore": None if hidden else min(float(t["progress_display"]), 1.5),
                "atteso": float(t["expected"]),
                "etichetta": _progress(t["progress_display"], t["is_suppressed"]),
                "soppresso": bool(t["is_suppressed"]),
            }
        )
    return out


def chart(rows: list[dict[str, Any]]) -> Any:
    """Bars of the progress towards each target, a tick at the progress expected by the
    month; a suppressed progress is a gap labelled `<5`."""
    data = alt.Data(values=rows)
    y = alt.Y("indicatore:N", title=None, sort=None, axis=alt.Axis(labelLimit=260))
    axis = alt.Axis(format=".0%", labelExpr="replace(datum.label, '%', ' %')")
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(color="#1f77b4").encode(
        x=alt.X(
            "valore:Q",
            title="avanzamento sull'obiettivo dell'anno",
            axis=axis,
            scale=alt.Scale(domain=[0, 1.5]),
        ),
        tooltip=[alt.Tooltip("indicatore:N"), alt.Tooltip("etichetta:N", title="avanzamento")],
    )
    expected = base.mark_tick(color="#d62728", thickness=3, size=18).encode(x="atteso:Q")
    labels = (
        base.mark_text(align="left", dx=4, fontSize=10)
        .encode(x=alt.X("valore:Q"), text="etichetta:N")
        .transform_filter("datum.valore !== null")
    )
    hidden = (
        base.transform_filter("datum.soppresso")
        .mark_text(align="left", dx=4, fontSize=10, fontWeight="bold")
        .encode(x=alt.datum(0), text="etichetta:N")
    )
    return alt.layer(bars, expected, labels, hidden).properties(
        width=charts.WIDTH - 280, height=max(40, 28 * len(rows))
    )


def section(
    wh: Warehouse, period: str, scope: str = "partnership", scope_code: str | None = None
) -> str:
    """The HTML section; empty when the scope has no target for the period's year."""
    targets = rows(wh, period, scope, scope_code)
    if not targets:
        return ""
    year = targets[0]["year"]
    expected = float(targets[0]["expected"])
    table_rows = [
        [
            escape(str(t["indicator_name_it"])),
            escape(formats.published(_target_text(t["target"], t["unit"]), t["unit"])),
            f'<span class="value" data-indicator="{escape(t["indicator_code"])}" '
            f'data-window="year" data-scope="{scope}" '
            f'data-suppressed="{str(t["is_suppressed"]).lower()}">'
            f"{escape(formats.published(t['actual_display'], t['unit'], t['is_suppressed']))}</span>",
            escape(_progress(t["progress_display"], t["is_suppressed"])),
            escape(formats.percent(float(t["expected"]))),
            escape(_status(t)),
        ]
        for t in targets
    ]
    placeholder = any(t["is_placeholder"] for t in targets)
    note = (
        f"Da gennaio {year} (o dall'avvio del partenariato) a {formats.month(period)}: "
        f"a questo mese è atteso il {formats.percent(expected)} dell'obiettivo annuale "
        "(i mesi trascorsi dell'anno, linea rossa). Stato: raggiunto (avanzamento almeno "
        "100 %), in linea (almeno il 90 % dell'atteso), in ritardo."
    )
    if placeholder:
        note += (
            " Obiettivi segnaposto: valori indicativi, in attesa del piano approvato dalla "
            "co-progettazione."
        )
    data = chart_rows(targets)
    return (
        f"<h2>Obiettivi {year}</h2>"
        + (
            '<p class="provisional"><strong>Obiettivi segnaposto</strong>: non ancora il '
            "piano della co-progettazione.</p>"
            if placeholder
            else ""
        )
        + page.chart_block(f"targets-{scope}", charts.to_svg(chart(data)), data, note)
        + page.table(
            [
                "Indicatore",
                f"Obiettivo {year}",
                "Da inizio anno",
                "Avanzamento",
                f"Atteso a {formats.month_short(period)}",
                "Stato",
            ],
            table_rows,
            {1, 2, 3, 4},
        )
    )


def _status(t: dict[str, Any]) -> str:
    if t["is_suppressed"]:
        return "non pubblicato"
    return STATUS_IT.get(t["status_display"] or "", "n.d.")


def _target_text(target: float, unit: str) -> str:
    """The target as display text (a target is a plan, not a count of people)."""
    return f"{target:.2f}" if unit == "EUR" else str(round(target))
