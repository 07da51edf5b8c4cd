"""What would be right, said for the row at hand: the month the dates must fall in, the area a
service belongs to, the outcomes of that service, the nearest municipality or code for a
near miss (`Cremma` -> `Crema?`), and found values written the Italian way.

The suites (`expectations/*.json`) carry each rule's general message and expectation; this
module makes them specific where the row tells more. It only reads the validation frame's
row and the reference data.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from pipelines import formats, reference
from pipelines.ingestion.columns import (
    AREAS,
    CITIZENSHIP,
    EXPENSE_ITEMS,
    REFERRERS,
    SEX,
    YES_NO,
)

# Allowed codes of the columns with a closed list (besides services and outcomes).
CODES: dict[str, tuple[str, ...]] = {
    "sesso": SEX,
    "anonimo": YES_NO,
    "area": AREAS,
    "cittadinanza": CITIZENSHIP,
    "inviante": REFERRERS,
    "voce": EXPENSE_ITEMS,
}
CODE_CUTOFF = 70
NAME_CUTOFF = 80


def listing(items: list[str] | tuple[str, ...]) -> str:
    """`A, B oppure C`."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} oppure {items[-1]}"


def nearest(
    text: str | None, choices: list[str] | tuple[str, ...], cutoff: int = CODE_CUTOFF
) -> str | None:
    """The closest allowed code to what was typed, if close enough (case and spaces aside)."""
    if not text:
        return None
    query = "".join(text.split()).upper()
    found = process.extractOne(query, list(choices), scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else None


@cache
def _names() -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    """(folded names of the Ambito, of all Italy, folded name -> official name)."""
    rows = reference.municipalities()
    official = {
        reference.fold_name(r["municipality_name"]): r["municipality_name"] for r in rows.values()
    }
    ambito = tuple(
        reference.fold_name(rows[c]["municipality_name"])
        for c in reference.ambito_codes()
        if c in rows
    )
    return ambito, tuple(official), official


def nearest_municipality(text: str | None) -> str | None:
    """The municipality the partner probably meant: by name (the Ambito's first), or, for a
    6-digit code, an Ambito code one digit away."""
    if not text:
        return None
    s = text.strip()
    rows = reference.municipalities()
    if s.isdigit():
        code = s.zfill(6)
        close = [
            c
            for c in reference.ambito_codes()
            if len(c) == len(code) and sum(a != b for a, b in zip(c, code, strict=True)) == 1
        ]
        return f"{close[0]} ({rows[close[0]]['municipality_name']})" if len(close) == 1 else None
    ambito, everywhere, official = _names()
    folded = reference.fold_name(s)
    for pool, cutoff in ((ambito, NAME_CUTOFF - 5), (everywhere, NAME_CUTOFF)):
        found = process.extractOne(folded, pool, scorer=fuzz.ratio, score_cutoff=cutoff)
        if found:
            return official[found[0]]
    return None


def _text(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and x != x):
        return None
    return str(x)


def shown_value(column: str, value: str | None, row: Any) -> str | None:
    """The found value as the partner would write it: dates `05/03/2026`, amounts `12.500,00 €`."""
    if value is None:
        return None
    if column == "data_intervento" and isinstance(row.get("data_date"), dt.date):
        return formats.date(row["data_date"])
    if column == "importo_euro":
        amount = row.get("importo_num")
        if isinstance(amount, float) and amount == amount:
            return formats.money(amount)
    return value


def expected(rule: str, column: str, default: str | None, row: Any, period: str) -> str | None:
    """What would be right for this row; the suite's general text when the row tells no more."""
    services = reference.services()
    svc = services.get(_text(row.get("tipo_code")) or "")
    area = _text(row.get("area_code"))
    if rule in ("data_intervento_outside_period", "data_intervento_format"):
        return (
            f"una data di {formats.month(period)} ({formats.month_days(period)}), "
            "scritta gg/mm/aaaa"
        )
    if rule == "tipo_intervento_area_mismatch" and svc:
        same = [c for c, s in services.items() if s.area == area]
        text = (
            f"{svc.code} ({svc.label}) è un servizio dell'area {svc.area} "
            f"({reference.areas().get(svc.area, svc.area).lower()}): indicare Area = {svc.area}"
        )
        return text + (f", oppure un servizio dell'area {area}: {listing(same)}" if same else "")
    if rule == "tipo_intervento_unknown":
        near = nearest(_text(row.get("tipo_intervento")), tuple(services))
        same = [c for c, s in services.items() if s.area == area]
        base = (f"un servizio dell'area {area}: {listing(same)}" if same else default) or ""
        return f"forse {near}? Altrimenti {base}" if near else base
    if rule in ("esito_value", "esito_required") and svc and svc.outcomes:
        near = nearest(_text(row.get("esito")), svc.outcomes) if rule == "esito_value" else None
        text = f"per {svc.code} ({svc.label}): {listing(svc.outcomes)}"
        return f"forse {near}? Esiti ammessi {text}" if near else f"un esito {text}"
    if rule == "esito_value" and svc and not svc.outcomes:
        return f"cella vuota: per {svc.code} ({svc.label}) non si indica l'esito"
    if rule == "comune_residenza_unknown":
        near = nearest_municipality(_text(row.get("comune_residenza")))
        return f"forse {near}? Altrimenti {default}" if near else default
    if rule == "anonimo_not_allowed" and svc:
        allowed = [c for c, s in services.items() if s.anonymous_allowed]
        return (
            f"{svc.code} ({svc.label}) richiede il codice fiscale: Anonimo = SI solo per "
            f"{listing(allowed)}"
        )
    if rule in ("importo_euro_required", "importo_euro_not_monetary") and svc:
        what = "un importo maggiore di 0" if svc.monetary else "cella vuota o 0"
        return f"{what}: {svc.code} ({svc.label}) " + (
            "è un contributo economico" if svc.monetary else "non è un contributo economico"
        )
    if rule.endswith("_value") and column in CODES:
        near = nearest(_text(row.get(column)), CODES[column])
        values = listing(CODES[column])
        return f"forse {near}? Valori ammessi: {values}" if near else values
    return default
