"""Charts: Vega-Altair specifications rendered to inline SVG with vl-convert (no browser,
no script, no network).

Suppressed cells come in with `valore` = None and `etichetta` = "<5": lines break there and
the label `<5` is drawn in place of the point, so no exact value reaches the page.
"""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import vl_convert

from pipelines import formats

WIDTH = 640
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

Rows = list[dict[str, Any]]


# Months on the x axis by their Italian short name (`ott 2026`), in the rows' order.
def _months() -> Any:
    return alt.X("mese:O", sort=None, title="Mese")


def _axis(percent: bool) -> Any:
    """Counts `1.000`; shares `25 %` (d3 writes `25%`: the Italian way has a space)."""
    if percent:
        return alt.Axis(format=".0%", labelExpr="replace(datum.label, '%', ' %')")
    return alt.Axis(format=",.0f")


def _config(chart: Any) -> Any:
    return (
        chart.configure(font=FONT)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=11)
        .configure_legend(orient="bottom", labelLimit=320, columns=2)
    )


def to_svg(chart: Any) -> str:
    """The chart as an SVG element (without the XML prolog), for inlining in HTML."""
    svg = vl_convert.vegalite_to_svg(
        _config(chart).to_dict(),
        vl_version="v5_20",
        format_locale=formats.CHART_NUMBER_LOCALE,
        time_format_locale=formats.CHART_TIME_LOCALE,
    )
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def _lines(rows: Rows, title: str, x: Any, series: Any, y: Any) -> Any:
    """Lines per series over `x`, with points; `<5` written where a value is suppressed."""
    base = alt.Chart(alt.Data(values=rows)).encode(x=x, color=series)
    lines = base.mark_line(point=True).encode(
        y=y,
        tooltip=[
            alt.Tooltip(series.shorthand),
            alt.Tooltip("mese:O"),
            alt.Tooltip("etichetta:N", title="valore"),
        ],
    )
    hidden = (
        base.transform_filter("datum.valore === null && datum.soppresso")
        .mark_text(dy=-6, fontSize=10, fontWeight="bold")
        .encode(y=alt.datum(0), text="etichetta:N")
    )
    return alt.layer(lines, hidden).properties(title=title, width=WIDTH, height=170)


def trend(rows: Rows, title: str, y_title: str, percent: bool = False) -> Any:
    """Lines per indicator over the months; `<5` written where a value is suppressed."""
    return _lines(
        rows,
        title,
        _months(),
        alt.Color("indicatore:N", title=None),
        alt.Y("valore:Q", title=y_title, axis=_axis(percent)),
    )


def bars(rows: Rows, title: str, y_title: str, percent: bool = False) -> Any:
    """Grouped bars per month and indicator; `<5` written where a value is suppressed."""
    data = alt.Data(values=rows)
    base = alt.Chart(data).encode(
        x=_months(),
        xOffset="indicatore:N",
        color=alt.Color("indicatore:N", title=None),
    )
    bar = base.mark_bar().encode(
        y=alt.Y("valore:Q", title=y_title, axis=_axis(percent)),
        tooltip=[
            alt.Tooltip("indicatore:N"),
            alt.Tooltip("mese:O"),
            alt.Tooltip("etichetta:N", title="valore"),
        ],
    )
    hidden = (
        base.transform_filter("datum.valore === null && datum.soppresso")
        .mark_text(dy=-6, fontSize=9, fontWeight="bold")
        .encode(y=alt.datum(0), text="etichetta:N")
    )
    return alt.layer(bar, hidden).properties(title=title, width=WIDTH, height=170)


def spend_vs_budget(rows: Rows) -> Any:
    """Cumulative spend against the allocated budget, by consortium (horizontal bars)."""
    data = alt.Data(values=rows)
    base = alt.Chart(data).encode(y=alt.Y("consorzio:N", title=None))
    budget = base.mark_bar(color="#d9d9d9").encode(
        x=alt.X("budget:Q", title="Euro", axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("consorzio:N"), alt.Tooltip("budget:Q", format=",.0f")],
    )
    spend = base.mark_bar(color="#1f77b4", height=12).encode(
        x="spesa:Q", tooltip=[alt.Tooltip("consorzio:N"), alt.Tooltip("etichetta:N", title="spesa")]
    )
    return alt.layer(budget, spend).properties(
        title="Spesa rendicontata (cumulata, blu) rispetto al budget assegnato (grigio)",
        width=WIDTH,
        height=30 * max(len(rows) // 1, 2),
    )


def cofinancing(rows: Rows, expected: float) -> Any:
    """Co-financing share by consortium against the expected share (a rule)."""
    data = alt.Data(values=rows)
    bar = (
        alt.Chart(data)
        .mark_bar(color="#2ca02c")
        .encode(
            y=alt.Y("consorzio:N", title=None),
            x=alt.X(
                "valore:Q",
                title="Quota di cofinanziamento",
                axis=_axis(True),
                scale=alt.Scale(domain=[0, max(0.3, expected * 1.4)]),
            ),
            tooltip=[alt.Tooltip("consorzio:N"), alt.Tooltip("etichetta:N", title="quota")],
        )
    )
    rule = (
        alt.Chart(alt.Data(values=[{"attesa": expected}]))
        .mark_rule(color="#d62728", strokeDash=[4, 3], size=2)
        .encode(x="attesa:Q")
    )
    return alt.layer(bar, rule).properties(
        title=f"Quota di cofinanziamento (cumulata) e quota attesa {formats.percent(expected)}",
        width=WIDTH,
        height=30 * max(len(rows), 2),
    )


STATUS_IT = {
    "on_time": "puntuale",
    "corrected": "corretto",
    "late": "in ritardo",
    "rejected": "respinto",
    "held": "in attesa (mese chiuso)",
    "missing": "mancante",
    "not_due": "non ancora dovuto",
}
STATUS_COLOURS = ["#2ca02c", "#98df8a", "#ff7f0e", "#d62728", "#9467bd", "#7f7f7f", "#f0f0f0"]


def quality_heatmap(rows: Rows, row_field: str = "ente", title: str = "") -> Any:
    """Partners (or one partner) × months, coloured by the submission status."""
    data = alt.Data(values=rows)
    return (
        alt.Chart(data)
        .mark_rect(stroke="white")
        .encode(
            x=_months(),
            y=alt.Y(f"{row_field}:N", title=None),
            color=alt.Color(
                "stato:N",
                title="Stato dell'invio",
                scale=alt.Scale(domain=list(STATUS_IT.values()), range=STATUS_COLOURS),
            ),
            tooltip=[alt.Tooltip(f"{row_field}:N"), alt.Tooltip("mese:O"), alt.Tooltip("stato:N")],
        )
        .properties(
            title=title, width=WIDTH, height=max(14 * len({r[row_field] for r in rows}), 20)
        )
    )


def cohorts(rows: Rows, title: str) -> Any:
    """Cohort rates by entry month (x) and scope (one line each); a suppressed cohort is a gap
    labelled `<5`."""
    return _lines(
        rows,
        title,
        alt.X("mese:O", sort=None, title="Mese di ingresso"),
        alt.Color("ambito:N", title=None, sort=None),
        alt.Y(
            "valore:Q", title="quota della coorte", axis=_axis(True), scale=alt.Scale(domain=[0, 1])
        ),
    )


MAP_WIDTH = 330
SUPPRESSED_FILL = "#bdbdbd"


def choropleth(geojson: dict[str, Any], rows: Rows, title: str) -> Any:
    """The municipalities coloured by `valore` (persons per 1,000 residents); a suppressed
    municipality is grey, with the legend `<5`. Rows carry `istat_code`, `comune`, `valore`,
    `etichetta`, `soppresso`."""
    shapes = alt.InlineData(values=geojson, format=alt.DataFormat(property="features", type="json"))
    lookup = alt.LookupData(
        alt.Data(values=rows),
        key="istat_code",
        fields=["comune", "valore", "etichetta", "soppresso"],
    )
    base = (
        alt.Chart(shapes)
        .transform_lookup(lookup="properties.istat_code", from_=lookup)
        .project(type="mercator")
    )
    tooltip = [alt.Tooltip("comune:N"), alt.Tooltip("etichetta:N", title="per 1.000 residenti")]
    shown = (
        base.transform_filter("!datum.soppresso")
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=alt.Color(
                "valore:Q",
                title="per 1.000 residenti",
                scale=alt.Scale(scheme="blues", zero=True),
                legend=alt.Legend(format=",.1f", orient="bottom"),
            ),
            tooltip=tooltip,
        )
    )
    hidden = (
        base.transform_filter("datum.soppresso")
        .transform_calculate(stato="'<5'")
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=alt.Color(
                "stato:N",
                title="soppresso",
                scale=alt.Scale(domain=["<5"], range=[SUPPRESSED_FILL]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=tooltip,
        )
    )
    return (
        alt.layer(shown, hidden)
        .resolve_scale(color="independent")
        .properties(title=title, width=MAP_WIDTH, height=MAP_WIDTH)
    )
