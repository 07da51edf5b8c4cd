"""Mistakes partners make: one injected error (the file is rejected) or warning per file.

Each injector edits one row of a copy of the canonical rows (see `activity`) so that exactly
one rule of partner-report.md is broken, chosen to avoid side effects on other rules (an
out-of-range birth year keeps the codice fiscale's two digits, a wrong service keeps the
amount and outcome rules satisfied, ...). The rule names are the validator's stable ids.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pipelines import reference

Row = dict[str, object]

ERROR_KINDS = (
    "codice_fiscale_check_char",
    "anno_nascita_range",
    "sesso_value",
    "comune_residenza_unknown",
    "minori_nucleo_range",
    "tipo_intervento_unknown",
    "tipo_intervento_area_mismatch",
    "data_intervento_outside_period",
    "importo_euro_required",
    "esito_value",
    "id_intervento_duplicate",
    "anonimo_not_allowed",
    "componenti_nucleo_range",
)
WARNING_KINDS = ("anno_nascita_cf_mismatch", "importo_euro_high", "column_identifier_dropped")
FILE_KINDS = ("file_unreadable", "file_empty")
# Warnings every file of some partners gets from their habits (not injected): an unknown
# extra column, a workbook read from its only sheet (`pipelines/issues.py` has the same ids).
RULE_UNKNOWN_COLUMN = "column_unknown"
RULE_SHEET_FALLBACK = "sheet_fallback"

UNKNOWN_MUNICIPALITIES = ("Atlantide", "Paperopoli", "Vigata", "Macondo")
BAD_SEX = ("X", "U", "N")
IDENTIFIER_HEADERS = ("Cognome e nome", "Telefono")
# Services with no amount and no required outcome: swapping one for another changes nothing
# but the area, so the only broken rule is the area mismatch.
_SWAPPABLE = ("POV01", "POV04", "POV05", "LEG01", "LEG03", "LAV01", "CASA02")


@dataclass(frozen=True)
class Injected:
    rule: str
    severity: str  # error | warning
    row_index: int | None  # 0-based index into the table's data rows
    column: str | None  # canonical column, or the extra header for identifier columns


@dataclass(frozen=True)
class Context:
    year: int
    month: int


def _edit(rows: list[Row], i: int) -> Row:
    """Copy-on-write: the clean rows stay untouched for later versions and the truth."""
    rows[i] = dict(rows[i])
    return rows[i]


def _pick(
    rng: random.Random, rows: list[Row], taken: set[int], pred: Callable[[Row], bool]
) -> int | None:
    cands = [i for i, r in enumerate(rows) if i not in taken and pred(r)]
    return rng.choice(cands) if cands else None


def _is_16(r: Row) -> bool:
    return isinstance(r["codice_fiscale"], str) and len(r["codice_fiscale"]) == 16


def _service(r: Row) -> reference.Service | None:
    return reference.services().get(str(r["tipo_intervento"]))


def _int(r: Row, column: str) -> int:
    return int(str(r[column]))


def _is_minor(year: int, birth: int) -> bool:
    """The indicators' definition: year of the intervention minus birth year <= 17."""
    return year - birth <= 17


def _monetary(r: Row) -> bool:
    s = _service(r)
    return s is not None and s.monetary


def _has_outcomes(r: Row) -> bool:
    s = _service(r)
    return s is not None and bool(s.outcomes)


def _anonymity_forbidden(r: Row) -> bool:
    s = _service(r)
    return r["anonimo"] != "SI" and s is not None and not s.anonymous_allowed


def _cf_check(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, _is_16)
    if i is None:
        return None
    r = _edit(rows, i)
    code = str(r["codice_fiscale"])
    r["codice_fiscale"] = code[:15] + rng.choice(
        [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c != code[15]]
    )
    return i, "codice_fiscale"


def _anno_range(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    # +/- 100 years keeps the two digits of the codice fiscale: no mismatch warning on top.
    i = _pick(
        rng, rows, taken, lambda r: _int(r, "anno_nascita") < 2000 or _int(r, "minori_nucleo") >= 1
    )
    if i is None:
        return None
    r = _edit(rows, i)
    year = _int(r, "anno_nascita")
    r["anno_nascita"] = year - 100 if year < 2000 else year + 100
    return i, "anno_nascita"


def _sesso(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, lambda r: True)
    if i is None:
        return None
    _edit(rows, i)["sesso"] = rng.choice(BAD_SEX)
    return i, "sesso"


def _comune(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, lambda r: True)
    if i is None:
        return None
    _edit(rows, i)["comune_residenza"] = rng.choice(UNKNOWN_MUNICIPALITIES)
    return i, "comune_residenza"


def _minori(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, lambda r: True)
    if i is None:
        return None
    r = _edit(rows, i)
    r["minori_nucleo"] = _int(r, "componenti_nucleo") + rng.randint(1, 2)
    return i, "minori_nucleo"


def _quiet(r: Row) -> bool:
    """Named row of a service with no amount and no outcome written."""
    s = _service(r)
    return (
        r["anonimo"] != "SI"
        and s is not None
        and not s.monetary
        and not s.outcome_required
        and r["esito"] is None
    )


def _tipo_unknown(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, _quiet)
    if i is None:
        return None
    r = _edit(rows, i)
    r["tipo_intervento"] = f"{r['area']}99"
    return i, "tipo_intervento"


def _tipo_area(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, lambda r: _quiet(r) and r["tipo_intervento"] in _SWAPPABLE)
    if i is None:
        return None
    r = _edit(rows, i)
    catalogue = reference.services()
    r["tipo_intervento"] = rng.choice([s for s in _SWAPPABLE if catalogue[s].area != r["area"]])
    return i, "tipo_intervento"


def _date_outside(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    # An adjacent month of the same year: the age (hence the minor rule) does not change.
    i = _pick(rng, rows, taken, lambda r: True)
    if i is None:
        return None
    month = 2 if ctx.month == 1 else 11 if ctx.month == 12 else ctx.month + rng.choice((-1, 1))
    day = rng.randint(1, calendar.monthrange(ctx.year, month)[1])
    _edit(rows, i)["data_intervento"] = date(ctx.year, month, day)
    return i, "data_intervento"


def _importo_missing(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, _monetary)
    if i is None:
        return None
    _edit(rows, i)["importo_euro"] = None
    return i, "importo_euro"


def _esito(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, _has_outcomes)
    if i is None:
        return None
    r = _edit(rows, i)
    own = reference.services()[str(r["tipo_intervento"])].outcomes
    others = sorted({o for s in reference.services().values() for o in s.outcomes} - set(own))
    r["esito"] = rng.choice([*others, "RISOLTO", "CHIUSO"])
    return i, "esito"


def _duplicate(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    cands = [j for j in range(1, len(rows)) if j not in taken]
    if not cands:
        return None
    j = rng.choice(cands)
    i = rng.randrange(0, j)  # the first occurrence is above: the issue is on the second
    _edit(rows, j)["id_intervento"] = rows[i]["id_intervento"]
    return j, "id_intervento"


def _anonimo(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, _anonymity_forbidden)
    if i is None:
        return None
    r = _edit(rows, i)
    r["anonimo"], r["codice_fiscale"] = "SI", None
    return i, "anonimo"


def _componenti(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, lambda r: True)
    if i is None:
        return None
    r = _edit(rows, i)
    # 0 members only where 0 minors is still right, so minors <= members is not broken too.
    zero_ok = _int(r, "minori_nucleo") == 0 and not _is_minor(ctx.year, _int(r, "anno_nascita"))
    r["componenti_nucleo"] = rng.choice((0, 25)) if zero_ok else 25
    return i, "componenti_nucleo"


def _cf_mismatch(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    for _ in range(10):
        i = _pick(rng, rows, taken, _is_16)
        if i is None:
            return None
        year = _int(rows[i], "anno_nascita")
        new = year + rng.choice((-5, -4, -3, -2, -1, 1, 2, 3, 4, 5))
        if new > ctx.year or new < 1900:
            continue
        if _is_minor(ctx.year, new) and _int(rows[i], "minori_nucleo") < 1:
            continue
        _edit(rows, i)["anno_nascita"] = new
        return i, "anno_nascita"
    return None


def _importo_high(rng: random.Random, rows: list[Row], ctx: Context, taken: set[int]):
    i = _pick(rng, rows, taken, lambda r: r["tipo_intervento"] == "CASA01")
    if i is None:
        return None
    cents = rng.randint(1_005_000, 1_500_000)
    _edit(rows, i)["importo_euro"] = (Decimal(cents) / 100).quantize(Decimal("0.01"))
    return i, "importo_euro"


ROW_INJECTORS: dict[str, Callable[..., tuple[int, str] | None]] = {
    "codice_fiscale_check_char": _cf_check,
    "anno_nascita_range": _anno_range,
    "sesso_value": _sesso,
    "comune_residenza_unknown": _comune,
    "minori_nucleo_range": _minori,
    "tipo_intervento_unknown": _tipo_unknown,
    "tipo_intervento_area_mismatch": _tipo_area,
    "data_intervento_outside_period": _date_outside,
    "importo_euro_required": _importo_missing,
    "esito_value": _esito,
    "id_intervento_duplicate": _duplicate,
    "anonimo_not_allowed": _anonimo,
    "componenti_nucleo_range": _componenti,
    "anno_nascita_cf_mismatch": _cf_mismatch,
    "importo_euro_high": _importo_high,
}


def inject(
    rng: random.Random,
    rows: list[Row],
    ctx: Context,
    kinds: tuple[str, ...],
    severity: str,
    taken: set[int],
) -> tuple[Injected | None, str | None]:
    """Inject one issue of a feasible kind into `rows` (edited in place, copy-on-write).

    Returns the issue and, for `column_identifier_dropped`, the extra header to add.
    Kinds that find no suitable row in this file are skipped; None when none fits.
    """
    order = list(kinds)
    rng.shuffle(order)
    for kind in order:
        if kind == "column_identifier_dropped":
            header = rng.choice(IDENTIFIER_HEADERS)
            return Injected(kind, severity, None, header), header
        hit = ROW_INJECTORS[kind](rng, rows, ctx, taken)
        if hit is not None:
            taken.add(hit[0])
            return Injected(kind, severity, hit[0], hit[1]), None
    return None, None
