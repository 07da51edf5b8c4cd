"""The partnership's monthly indicator report (Italian): one self-contained HTML page."""

from __future__ import annotations

from html import escape
from typing import Any

from pipelines import formats, period
from pipelines.reporting import charts, evaluation, page, targets
from pipelines.reporting.data import Cell, Warehouse

HEADLINE = [
    "REACH_PERSONS",
    "REACH_HOUSEHOLDS",
    "REACH_CONTACTS_ANON",
    "PERSONS_MULTI_AREA",
    "FIN_SPEND_EUR",
    "DQ_COMPLETENESS",
]
CHILDREN = ["REACH_HOUSEHOLDS_MINORS", "MINORS_IN_HOUSEHOLDS", "CASA_ARREARS_HOUSEHOLDS_MINORS"]
HOUSING = ["CASA_ARREARS_HOUSEHOLDS", "CASA_ARREARS_EUR", "CASA_EVICTION_PREVENTION_RATE"]
EMPLOYMENT = ["LAV_PERSONS", "LAV_PLACEMENT_RATE", "LAV_INTERNSHIP_COMPLETION"]
DATA_QUALITY = ["DQ_COMPLETENESS", "DQ_ON_TIME_RATE", "DQ_FIRST_TIME_ACCEPT"]
# The trend of each area: its counts (amounts and rates have their own sections).
AREA_TRENDS: dict[str, list[str]] = {
    "": ["REACH_PERSONS", "REACH_HOUSEHOLDS", "PERSONS_MULTI_AREA"],
    "POV": ["POV_FOOD_CONTACTS"],
    "LEG": ["LEG_ADS_OPENED"],
    "LAV": ["LAV_PERSONS"],
    "CASA": ["CASA_ARREARS_HOUSEHOLDS", "CASA_ARREARS_HOUSEHOLDS_MINORS"],
}


class Figures:
    """A scope's published cells (month, year and cumulative windows) through a period."""

    def __init__(
        self, wh: Warehouse, period: str, scope: str = "partnership", scope_code: str | None = None
    ) -> None:
        self.period = period
        self.periods = wh.periods(period)
        self.scope = scope
        self.meta = {r["indicator_code"]: r for r in wh.indicators()}
        self.windows = {
            w: wh.cells(scope, scope_code, self.periods, w) for w in ("month", "year", "cumulative")
        }

    def cell(self, code: str, window: str = "month", period: str | None = None) -> Cell:
        return self.windows[window].get((code, period or self.period), Cell(None, False))

    def name(self, code: str) -> str:
        return str(self.meta[code]["indicator_name_it"])

    def unit(self, code: str) -> str:
        return str(self.meta[code]["unit"])

    def span(self, code: str, window: str = "month") -> str:
        """The published figure of `code` in this scope, tagged, as a person reads it."""
        return page.value_span(self.cell(code, window), code, window, self.scope, self.unit(code))

    def series(self, codes: list[str], window: str = "month") -> list[dict[str, Any]]:
        """Chart rows: suppressed cells carry no number, only the label `<5`."""
        out = []
        for code in codes:
            for p in self.periods:
                c = self.cell(code, window, p)
                out.append(
                    {
                        "periodo": p,
                        "mese": formats.month_short(p),
                        "indicatore": self.name(code),
                        "codice": code,
                        "valore": c.number,
                        "etichetta": page.shown(c, self.unit(code)),
                        "soppresso": c.suppressed,
                    }
                )
        return out


def card(f: Figures, code: str) -> str:
    unit = f.unit(code)
    now = f.cell(code)
    prev = f.cell(code, period=period.previous(f.period))
    return (
        f'<div class="card"><div class="name">{escape(f.name(code))}</div>'
        f"<div>nel mese: {f.span(code)}</div>"
        f'<div class="delta">{escape(page.delta(now, prev, unit))}</div>'
        f'<div class="cum">da inizio anno: {f.span(code, "year")}</div>'
        f'<div class="cum">dall\'inizio: {f.span(code, "cumulative")}</div></div>'
    )


def cards(f: Figures, codes: list[str]) -> str:
    return '<div class="cards">' + "".join(card(f, c) for c in codes) + "</div>"


def _trends(f: Figures, areas: dict[str, str]) -> str:
    out = []
    for area, codes in AREA_TRENDS.items():
        label = areas.get(area, "Tutte le aree")
        rows = f.series(codes)
        svg = charts.to_svg(charts.trend(rows, label, "numero nel mese"))
        out.append(page.chart_block(f"trend-{area or 'all'}", svg, rows))
    return "<h2>Andamento per area</h2>" + "".join(out)


def _finance(wh: Warehouse, f: Figures) -> str:
    consortia = wh.consortia()
    rows, shares, table_rows = [], [], []
    for c in consortia:
        code = c["consortium_code"]
        spend = wh.cells("consortium", code, [f.period], "cumulative")
        s = spend.get(("FIN_SPEND_EUR", f.period), Cell(None, False))
        share = spend.get(("FIN_COFIN_SHARE", f.period), Cell(None, False))
        burn = spend.get(("FIN_BUDGET_BURN", f.period), Cell(None, False))
        name = str(c["consortium_name"])
        rows.append(
            {
                "consorzio": name,
                "spesa": s.number,
                "etichetta": page.shown(s, "EUR"),
                "budget": c["budget_eur"],
            }
        )
        shares.append(
            {"consorzio": name, "valore": share.number, "etichetta": page.shown(share, "rate")}
        )
        table_rows.append(
            [
                escape(name),
                escape(page.shown(s, "EUR")),
                escape(formats.money(float(c["budget_eur"]))),
                escape(page.shown(burn, "rate")),
                escape(page.shown(share, "rate")),
            ]
        )
    budget = sum(float(c["budget_eur"]) for c in consortia)
    expected = sum(float(c["cofinancing_eur"]) for c in consortia) / budget if budget else 0.212
    return (
        "<h2>Finanza</h2>"
        + cards(f, ["FIN_SPEND_EUR", "FIN_BUDGET_BURN", "FIN_COFIN_SHARE", "FIN_COST_PER_PERSON"])
        + page.chart_block("finance-spend", charts.to_svg(charts.spend_vs_budget(rows)), rows)
        + page.chart_block(
            "finance-cofinancing",
            charts.to_svg(charts.cofinancing(shares, expected)),
            shares,
            f"Linea rossa: quota attesa del {formats.percent(expected)} "
            "(cofinanziamento degli enti sul budget complessivo).",
        )
        + page.table(
            ["Consorzio", "Spesa cumulata", "Budget", "Avanzamento", "Quota cofinanziamento"],
            table_rows,
            {1, 2, 3, 4},
        )
    )


def _quality(wh: Warehouse, f: Figures) -> str:
    rows = [
        {
            "ente": r["partner_code"],
            "periodo": r["period"],
            "mese": formats.month_short(r["period"]),
            "stato": charts.STATUS_IT.get(r["status"], r["status"]),
        }
        for r in wh.calendar(f.period)
    ]
    svg = charts.to_svg(charts.quality_heatmap(rows, title="Stato degli invii per ente e mese"))
    return (
        "<h2>Qualità dei dati</h2>"
        + cards(f, DATA_QUALITY)
        + page.chart_block("quality-heatmap", svg, rows)
    )


BREAKDOWN_INDICATORS = [
    "REACH_PERSONS",
    "REACH_MINORS_DIRECT",
    "LAV_PERSONS",
    "REACH_HOUSEHOLDS",
    "CASA_ARREARS_HOUSEHOLDS",
]
DIMENSION_IT = {
    "sex": "Sesso",
    "age_band": "Classe di età",
    "citizenship": "Cittadinanza",
    "residence": "Residenza",
}


def _breakdowns(wh: Warehouse, f: Figures) -> str:
    """Who was reached, by sex, age band, citizenship and residence (the published cells)."""
    out = [
        "<h2>Chi è stato raggiunto</h2>",
        '<p class="note">Persone e nuclei del partenariato dall\'inizio del partenariato, '
        "per sesso, classe di età, cittadinanza e residenza (per i nuclei: residenza).</p>",
    ]
    cells = wh.breakdowns(f.period, "cumulative")
    for code in BREAKDOWN_INDICATORS:
        mine = [c for c in cells if c["indicator_code"] == code]
        if not mine:
            continue
        rows = [
            [
                escape(DIMENSION_IT[c["dimension"]]),
                escape(c["label_it"]),
                f'<span class="value" data-indicator="{escape(code)}" data-window="cumulative" '
                f'data-dimension="{escape(c["dimension"])}" '
                f'data-suppressed="{str(c["is_suppressed"]).lower()}">'
                f"{escape(formats.published(c['display_value'], f.unit(code)))}</span>",
            ]
            for c in mine
        ]
        out.append(
            f"<h3>{escape(f.name(code))}</h3>"
            + page.table(["Dimensione", "Categoria", "Valore"], rows, {2})
        )
    return "".join(out)


def approval_note(wh: Warehouse, period: str) -> str:
    """Whether the month's figures are final, and which partner-months are not approved yet."""
    final = wh.finality(period)
    waiting = wh.unapproved(period)
    month = escape(page.month_it(period))
    if final.get("month") and not waiting:
        head = (
            f"<p><strong>Dati definitivi</strong>: i rendiconti di {month} di tutti gli enti "
            "sono stati approvati dal referente dell'osservatorio.</p>"
        )
    else:
        head = (
            f'<p class="provisional"><strong>Dati provvisori</strong>: {len(waiting)} '
            f"rendiconti di {month} non sono ancora stati approvati dal referente "
            f"dell'osservatorio ({escape(', '.join(waiting))}); le cifre del mese possono "
            "ancora cambiare.</p>"
        )
    if not final.get("cumulative"):
        head += (
            '<p class="note">I valori cumulati dall\'inizio restano provvisori finché non '
            "sono approvati i rendiconti di ogni mese precedente.</p>"
        )
    return "<h2>Stato dei dati</h2>" + head


def glossary(f: Figures) -> str:
    rows = [
        [
            escape(code),
            escape(str(m["indicator_name_it"])),
            escape(str(m["definition_it"])),
            escape(formats.unit_it(str(m["unit"]))),
        ]
        for code, m in sorted(f.meta.items())
    ]
    return (
        "<h2>Glossario degli indicatori</h2>"
        + page.table(["Codice", "Indicatore", "Definizione", "Unità"], rows)
        + '<p class="note">I conteggi di persone o nuclei tra 1 e 4 sono pubblicati come '
        "&lt;5, così come i tassi che li contengono e le celle che permetterebbero di "
        "ricostruirli dalle altre (soppressione secondaria).</p>"
    )


def render(wh: Warehouse, period: str) -> str:
    """The whole report for a period, as HTML text."""
    f = Figures(wh, period)
    areas = {a["area_code"]: a["area_label_it"] for a in wh.areas()}
    sections = [
        approval_note(wh, period),
        "<h2>In sintesi</h2>" + cards(f, HEADLINE),
        targets.section(wh, period),
        _trends(f, areas),
        "<h2>Focus minori</h2>"
        + cards(f, CHILDREN)
        + page.chart_block(
            "children",
            charts.to_svg(
                charts.bars(f.series(CHILDREN), "Minori e nuclei con minori", "numero nel mese")
            ),
            f.series(CHILDREN),
        ),
        "<h2>Casa</h2>"
        + cards(f, HOUSING)
        + page.chart_block(
            "housing",
            charts.to_svg(
                charts.trend(
                    f.series(["CASA_EVICTION_PREVENTION_RATE"]),
                    "Sfratti evitati",
                    "tasso nel mese",
                    percent=True,
                )
            ),
            f.series(["CASA_EVICTION_PREVENTION_RATE"]),
        ),
        "<h2>Lavoro</h2>"
        + cards(f, EMPLOYMENT)
        + page.chart_block(
            "employment",
            charts.to_svg(
                charts.trend(
                    f.series(["LAV_PLACEMENT_RATE", "LAV_INTERNSHIP_COMPLETION"]),
                    "Inserimenti e tirocini conclusi",
                    "tasso nel mese",
                    percent=True,
                )
            ),
            f.series(["LAV_PLACEMENT_RATE", "LAV_INTERNSHIP_COMPLETION"]),
        ),
        _breakdowns(wh, f),
        evaluation.needs(wh, period),
        evaluation.follow_up(wh),
        _finance(wh, f),
        _quality(wh, f),
        glossary(f),
    ]
    return page.document(
        f"Osservatorio del partenariato: report di {page.month_it(period)}",
        "Indicatori armonizzati del partenariato. Valori pubblicati: i conteggi "
        "tra 1 e 4 appaiono come <5. Mese: " + page.month_it(period),
        sections,
    )
