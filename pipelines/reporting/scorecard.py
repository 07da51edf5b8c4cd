"""A partner's scorecard (Italian): its own figures beside its consortium's and the
partnership's, its submission history and data-quality record. Nothing of another partner."""

from __future__ import annotations

from html import escape

from pipelines import formats
from pipelines.reporting import charts, page, targets
from pipelines.reporting.data import Warehouse
from pipelines.reporting.monthly import Figures

COMPARED = [
    "REACH_PERSONS",
    "REACH_HOUSEHOLDS",
    "REACH_HOUSEHOLDS_MINORS",
    "MINORS_IN_HOUSEHOLDS",
    "LAV_PERSONS",
    "CASA_ARREARS_HOUSEHOLDS",
    "CASA_ARREARS_EUR",
    "POV_FOOD_CONTACTS",
    "FIN_SPEND_EUR",
    "FIN_BUDGET_BURN",
    "FIN_COFIN_SHARE",
    "DQ_COMPLETENESS",
    "DQ_ON_TIME_RATE",
    "DQ_FIRST_TIME_ACCEPT",
]
STATUS_FILE_IT = {
    "accepted": "accettato",
    "accepted_with_warnings": "accettato con avvisi",
    "rejected": "respinto",
    "held": "in attesa (mese chiuso)",
}


def render(wh: Warehouse, partner_code: str, period: str) -> str:
    """The scorecard of one partner for a period, as HTML text."""
    partner = next(p for p in wh.partners() if p["partner_code"] == partner_code)
    consortium = partner["consortium_code"]
    own = Figures(wh, period, "partner", partner_code)
    cons = Figures(wh, period, "consortium", consortium)
    whole = Figures(wh, period)
    rows = []
    for code in COMPARED:
        rows.append(
            [escape(own.name(code))]
            + [
                f.span(code, w)
                for f, w in (
                    (own, "month"),
                    (own, "year"),
                    (own, "cumulative"),
                    (cons, "cumulative"),
                    (whole, "cumulative"),
                )
            ]
        )
    trend_rows = own.series(["REACH_PERSONS", "REACH_HOUSEHOLDS"])
    trend = charts.to_svg(
        charts.trend(trend_rows, "Persone e nuclei raggiunti dall'ente", "numero nel mese")
    )
    calendar = [
        {
            "mese": formats.month_short(r["period"]),
            "periodo": r["period"],
            "stato": charts.STATUS_IT.get(r["status"], r["status"]),
        }
        for r in wh.calendar(period, partner_code)
    ]
    heat_rows = [
        {"ente": partner_code, "periodo": r["periodo"], "mese": r["mese"], "stato": r["stato"]}
        for r in calendar
    ]
    heat = charts.to_svg(charts.quality_heatmap(heat_rows, title="Stato degli invii per mese"))
    history = [
        [
            escape(formats.month(s["period"])),
            f'<span class="file">{escape(str(s["file_name"]))}</span>',
            escape(formats.date_time(s["received_at"])),
            formats.number(s["version"]),
            escape(STATUS_FILE_IT.get(s["status"], s["status"])),
            formats.number(s["rows_read"] or 0),
            formats.number(s["rows_accepted"] or 0),
            formats.number(s["errors"] or 0),
            formats.number(s["warnings"] or 0),
        ]
        for s in wh.submissions(partner_code, period)
    ]
    sections = [
        "<h2>I vostri indicatori</h2>"
        + page.table(
            [
                "Indicatore",
                "Ente, nel mese",
                "Ente, da inizio anno",
                "Ente, dall'inizio",
                f"{partner['consortium_name']}, dall'inizio",
                "Partenariato, dall'inizio",
            ],
            rows,
            {1, 2, 3, 4, 5},
        )
        + page.chart_block("partner-trend", trend, trend_rows),
        targets.section(wh, period, "partner", partner_code),
        "<h2>Qualità dei dati</h2>" + page.chart_block("partner-quality", heat, heat_rows),
        "<h2>Storico degli invii</h2>"
        + page.table(
            [
                "Mese",
                "File",
                "Ricevuto",
                "Versione",
                "Esito",
                "Righe lette",
                "Righe accettate",
                "Errori",
                "Avvisi",
            ],
            history,
            {3, 5, 6, 7, 8},
        ),
    ]
    return page.document(
        f"Scheda dell'ente {partner_code}: {page.month_it(period)}",
        f"{partner['partner_name']} · {partner['consortium_name']} · "
        "valori pubblicati (i conteggi tra 1 e 4 appaiono come <5)",
        sections,
    )
