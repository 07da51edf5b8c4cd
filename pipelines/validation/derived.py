"""The validation frame: the cell texts of a run's files side by side with typed columns
and rule flags derived from them.

Great Expectations checks this frame (`expectations/*.json`). Rules that need the service
catalogue, the codice fiscale algorithm or several columns at once are computed here as a
`chk__<rule>` column (True = fine, False = broken, None = does not apply) that the suite
then expects to be True; every rule id still has exactly one expectation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from pipelines import reference
from pipelines.ingestion.columns import NO_FIXED_ABODE, TABLES
from pipelines.ingestion.reader import RawTable
from pipelines.privacy import codice_fiscale as cfmod
from pipelines.validation.parsing import (
    INVALID,
    parse_code,
    parse_date,
    parse_int,
    parse_number,
    parse_service,
    parse_yes_no,
)


@dataclass(frozen=True)
class TablePart:
    """One file's table, tagged with the file's index in the run and its period."""

    file_index: int
    period: str
    table: RawTable


def _mapped(f, values: Sequence[object], flags: Sequence[bool] | None = None) -> list:
    """[f(v) for v in values] (or f(v, flag)), with f called once per distinct value: the
    parsers are pure functions of the text (and the file's decimal comma)."""
    n = len(values)
    if n == 0:
        return []
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    if flags is None:
        table = np.empty(len(uniques) + 1, dtype=object)
        table[:-1] = [f(u) for u in uniques]
        table[-1] = f(None)
        return table[codes].tolist()  # code -1 (None) takes the last entry
    flag = np.asarray(flags, dtype=bool)
    out = np.empty(n, dtype=object)
    for value in (False, True):
        rows = flag == value
        if rows.any():
            table = np.empty(len(uniques) + 1, dtype=object)
            used = np.unique(codes[rows])
            table[used[used >= 0]] = [f(uniques[u], value) for u in used[used >= 0]]
            table[-1] = f(None, value)
            out[rows] = table[codes[rows]]
    return out.tolist()


def _num(values: Sequence[object]) -> np.ndarray:
    return np.array(
        [np.nan if v is None or v is INVALID else float(v) for v in values],  # type: ignore[arg-type]
        dtype="float64",
    )


def _fmt_flag(raw: Sequence[str | None], parsed: Sequence[object]) -> list[bool | None]:
    return [None if r is None else (p is not INVALID) for r, p in zip(raw, parsed, strict=True)]


def _frame_base(parts: Sequence[TablePart], table: str) -> dict[str, list]:
    cols: dict[str, list] = {c.name: [] for c in TABLES[table]}
    cols.update({"_file": [], "_row": [], "_period": [], "_decimal_comma": []})
    for part in parts:
        t = part.table
        n = len(t)
        cols["_file"].extend([part.file_index] * n)
        cols["_row"].extend(t.rows)
        cols["_period"].extend([part.period] * n)
        cols["_decimal_comma"].extend([t.decimal_comma] * n)
        for c in TABLES[table]:
            cols[c.name].extend(t.values[c.name])
    return cols


def resolve_municipality(text: str | None) -> str | None:
    """ISTAT code (6 digits, leading zeros optional), name, or SFD -> code; None if unknown."""
    if text is None:
        return None
    s = text.strip()
    if s.upper() == NO_FIXED_ABODE:
        return NO_FIXED_ABODE
    if s.isdigit() and len(s) <= 6:
        code = s.zfill(6)
        return code if code in reference.municipalities() else None
    return reference.municipality_by_name().get(reference.fold_name(s))


Flags = list[bool | None]  # True: fine; False: the rule is broken; None: it does not apply


@dataclass(frozen=True)
class Typed:
    """An `interventi` batch's cells parsed once: what the rules read (INVALID where a cell
    does not parse, None where it is empty)."""

    raw: dict[str, list]  # the cell texts by canonical column
    cf: list  # codice fiscale, normalised
    anonymous: list[bool]
    year: list  # anno di nascita
    members: list
    minors: list
    dates: list
    amount: list
    hours: list
    service: list  # the catalogue's Service of the row, or None
    sex: list
    outcome: list
    municipality: list  # ISTAT code, or None when not recognised
    well_formed: list  # codice fiscale of a valid shape (None when there is none)
    check_ok: list  # codice fiscale with a valid check character
    birth: list  # (year, sex) from the codice fiscale

    @cached_property
    def agrees_with_cf(self) -> tuple[Flags, Flags]:
        """(birth year, sex) against the codice fiscale, where both are there to compare."""
        year_ok: Flags = []
        sex_ok: Flags = []
        for v, a, w, k, b, y, s in zip(
            self.cf,
            self.anonymous,
            self.well_formed,
            self.check_ok,
            self.birth,
            self.year,
            self.sex,
            strict=True,
        ):
            if a or not w or v is None or not k:
                year_ok.append(None)
                sex_ok.append(None)
                continue
            yi = y if isinstance(y, int) else None
            ya, sa = cfmod.info_agrees(b, yi, s)
            year_ok.append(None if yi is None else ya)
            sex_ok.append(None if s not in ("M", "F") else sa)
        return year_ok, sex_ok


RULES: dict[str, Callable[[Typed], Flags]] = {}


def rule(name: str) -> Callable[[Callable[[Typed], Flags]], Callable[[Typed], Flags]]:
    """Register a row rule computed here; the suite expects its `chk__<name>` to be True."""

    def register(f: Callable[[Typed], Flags]) -> Callable[[Typed], Flags]:
        RULES[name] = f
        return f

    return register


def _format(raw: Sequence[str | None], parsed: Sequence[object]) -> Flags:
    """A filled cell parses; an empty one is left to the `_required` rules."""
    return _fmt_flag(raw, parsed)


@rule("id_intervento_duplicate")
def id_duplicate(t: Typed) -> Flags:
    """An ID intervento seen earlier in the same file (the first one is fine)."""
    ids = pd.DataFrame({"f": t.raw["_file"], "id": t.raw["id_intervento"]})
    dup = (ids["id"].notna() & ids.duplicated(subset=["f", "id"], keep="first")).tolist()
    return [False if d else None for d in dup]


@rule("codice_fiscale_required")
def cf_required(t: Typed) -> Flags:
    """A codice fiscale on every row that is not anonymous."""
    return [None if a else (v is not None) for a, v in zip(t.anonymous, t.cf, strict=True)]


@rule("codice_fiscale_with_anonymous")
def cf_with_anonymous(t: Typed) -> Flags:
    """No codice fiscale on an anonymous row."""
    return [(v is None) if a else None for a, v in zip(t.anonymous, t.cf, strict=True)]


@rule("codice_fiscale_format")
def cf_format(t: Typed) -> Flags:
    """16 characters of the right shape, or 11 digits."""
    return [
        None if (v is None or a) else w
        for v, a, w in zip(t.cf, t.anonymous, t.well_formed, strict=True)
    ]


@rule("codice_fiscale_check_char")
def cf_check_char(t: Typed) -> Flags:
    """A well-formed codice fiscale has the right check character."""
    return [
        k if (v and w and not a) else None
        for v, a, w, k in zip(t.cf, t.anonymous, t.well_formed, t.check_ok, strict=True)
    ]


@rule("anonimo_not_allowed")
def anonymous_allowed(t: Typed) -> Flags:
    """Anonymous rows only for the low-threshold services of the catalogue."""
    return [
        (s.anonymous_allowed if s else None) if a else None
        for a, s in zip(t.anonymous, t.service, strict=True)
    ]


@rule("anno_nascita_format")
def birth_year_format(t: Typed) -> Flags:
    """The birth year is a whole number."""
    return _format(t.raw["anno_nascita"], t.year)


@rule("anno_nascita_cf_mismatch")
def birth_year_agrees(t: Typed) -> Flags:
    """The birth year is the one the codice fiscale encodes (a warning)."""
    return t.agrees_with_cf[0]


@rule("sesso_cf_mismatch")
def sex_agrees(t: Typed) -> Flags:
    """The sex is the one the codice fiscale encodes (a warning)."""
    return t.agrees_with_cf[1]


@rule("comune_residenza_unknown")
def municipality_known(t: Typed) -> Flags:
    """The municipality is an ISTAT code, a municipality's name, or SFD."""
    return [
        None if r is None else (k is not None)
        for r, k in zip(t.raw["comune_residenza"], t.municipality, strict=True)
    ]


@rule("componenti_nucleo_format")
def members_format(t: Typed) -> Flags:
    """The household's members are a whole number."""
    return _format(t.raw["componenti_nucleo"], t.members)


@rule("minori_nucleo_format")
def minors_format(t: Typed) -> Flags:
    """The household's minors are a whole number."""
    return _format(t.raw["minori_nucleo"], t.minors)


@rule("minori_nucleo_minor_person")
def minor_in_household(t: Typed) -> Flags:
    """A person who is a minor (17 or younger in the year of the intervention) lives in a
    household with at least one minor."""
    out: Flags = []
    for y, d, m in zip(t.year, t.dates, t.minors, strict=True):
        if not isinstance(y, int) or not isinstance(d, dt.date) or not isinstance(m, int):
            out.append(None)
        else:
            out.append(m >= 1 if d.year - y <= 17 else None)
    return out


@rule("data_intervento_format")
def date_format(t: Typed) -> Flags:
    """The date is a date (dd/mm/yyyy, ISO, or a spreadsheet date)."""
    return _format(t.raw["data_intervento"], t.dates)


@rule("importo_euro_format")
def amount_format(t: Typed) -> Flags:
    """The amount is a number."""
    return _format(t.raw["importo_euro"], t.amount)


@rule("importo_euro_required")
def amount_required(t: Typed) -> Flags:
    """A monetary service has an amount above zero."""
    return [
        (isinstance(a, float) and a > 0) if (s and s.monetary and a is not INVALID) else None
        for s, a in zip(t.service, t.amount, strict=True)
    ]


@rule("importo_euro_not_monetary")
def amount_only_monetary(t: Typed) -> Flags:
    """A service that is not monetary has no amount (empty or 0)."""
    return [
        (a is None or a == 0) if (s and not s.monetary and a is not INVALID) else None
        for s, a in zip(t.service, t.amount, strict=True)
    ]


@rule("ore_format")
def hours_format(t: Typed) -> Flags:
    """The hours are a number."""
    return _format(t.raw["ore"], t.hours)


@rule("esito_required")
def outcome_required(t: Typed) -> Flags:
    """A service whose outcome the catalogue requires has one."""
    return [
        (e is not None) if (s and s.outcome_required) else None
        for s, e in zip(t.service, t.outcome, strict=True)
    ]


@rule("esito_value")
def outcome_of_the_service(t: Typed) -> Flags:
    """The outcome is one of the row's service's outcomes."""
    return [
        (e in s.outcomes) if (s and e is not None) else None
        for s, e in zip(t.service, t.outcome, strict=True)
    ]


# The typed columns that raw.interventi and raw.spese take from the validation frame:
# raw column -> frame column. The suites (expectations/*.json) check the same frame columns
# and the `chk__<rule>` flags above; tests/validation/test_derived_mapping.py keeps the
# three in agreement.
TO_RAW: dict[str, dict[str, str]] = {
    "interventi": {
        "id_intervento": "id_intervento",
        "anno_nascita": "anno_nascita_int",
        "sesso": "sesso_code",
        "comune_residenza": "comune_istat",
        "cittadinanza": "cittadinanza_code",
        "codice_nucleo": "codice_nucleo",
        "componenti_nucleo": "componenti_int",
        "minori_nucleo": "minori_int",
        "area": "area_code",
        "tipo_intervento": "tipo_code",
        "data_intervento": "data_date",
        "importo_euro": "importo_num",
        "ore": "ore_num",
        "esito": "esito_code",
        "inviante": "inviante_code",
    },
    "spese": {
        "voce": "voce_code",
        "area": "area_code",
        "importo_totale": "importo_totale_num",
        "quota_cofinanziamento": "quota_cofinanziamento_num",
        "note": "note",
    },
}


def interventions_frame(parts: Sequence[TablePart]) -> pd.DataFrame:
    c = _frame_base(parts, "interventi")
    services = reference.services()
    dec = c.pop("_decimal_comma")

    cf = _mapped(lambda v: cfmod.normalise(v) if v is not None else None, c["codice_fiscale"])
    anon = _mapped(parse_yes_no, c["anonimo"])
    tipo = _mapped(parse_service, c["tipo_intervento"])
    t = Typed(
        raw=c,
        cf=cf,
        anonymous=[a == "SI" for a in anon],
        year=_mapped(parse_int, c["anno_nascita"]),
        members=_mapped(parse_int, c["componenti_nucleo"], dec),
        minors=_mapped(parse_int, c["minori_nucleo"], dec),
        dates=_mapped(parse_date, c["data_intervento"]),
        amount=_mapped(parse_number, c["importo_euro"], dec),
        hours=_mapped(parse_number, c["ore"], dec),
        service=[services.get(x) if x else None for x in tipo],
        sex=_mapped(parse_code, c["sesso"]),
        outcome=_mapped(parse_code, c["esito"]),
        municipality=_mapped(resolve_municipality, c["comune_residenza"]),
        well_formed=_mapped(lambda v: cfmod.is_well_formed(v) if v else None, cf),
        check_ok=_mapped(lambda v: cfmod.has_valid_check(v) if v else None, cf),
        birth=_mapped(lambda v: cfmod.birth_info(v) if v else None, cf),
    )

    df = pd.DataFrame(
        {k: pd.Series(v, dtype="object") for k, v in c.items() if k not in ("_file", "_row")}
    )
    df["_file"] = np.asarray(c["_file"], dtype="int64")
    df["_row"] = np.asarray(c["_row"], dtype="int64")
    df["_period_year"] = np.asarray([int(p[:4]) for p in c["_period"]], dtype="float64")
    df["cf_norm"] = pd.Series(cf, dtype="object")
    df["anonimo_code"] = pd.Series(anon, dtype="object")
    df["anno_nascita_int"] = _num(t.year)
    df["componenti_int"] = _num(t.members)
    df["minori_int"] = _num(t.minors)
    df["sesso_code"] = pd.Series(t.sex, dtype="object")
    df["cittadinanza_code"] = pd.Series(_mapped(parse_code, c["cittadinanza"]), dtype="object")
    df["area_code"] = pd.Series(_mapped(parse_code, c["area"]), dtype="object")
    df["tipo_code"] = pd.Series(tipo, dtype="object")
    df["tipo_area"] = pd.Series([s.area if s else None for s in t.service], dtype="object")
    df["esito_code"] = pd.Series(t.outcome, dtype="object")
    df["inviante_code"] = pd.Series(_mapped(parse_code, c["inviante"]), dtype="object")
    df["comune_istat"] = pd.Series(t.municipality, dtype="object")
    df["data_date"] = pd.Series(
        [d if isinstance(d, dt.date) else None for d in t.dates], dtype="object"
    )
    df["data_month"] = pd.Series(
        _mapped(lambda d: d.strftime("%Y-%m") if isinstance(d, dt.date) else None, t.dates),
        dtype="object",
    )
    df["importo_num"] = _num(t.amount)
    df["ore_num"] = _num(t.hours)
    for name, compute in RULES.items():
        df[f"chk__{name}"] = pd.Series(compute(t), dtype="object")
    return df


def expenses_frame(parts: Sequence[TablePart]) -> pd.DataFrame:
    c = _frame_base(parts, "spese")
    dec = c.pop("_decimal_comma")
    total = _mapped(parse_number, c["importo_totale"], dec)
    cofin = _mapped(parse_number, c["quota_cofinanziamento"], dec)
    df = pd.DataFrame(
        {k: pd.Series(v, dtype="object") for k, v in c.items() if k not in ("_file", "_row")}
    )
    df["_file"] = np.asarray(c["_file"], dtype="int64")
    df["_row"] = np.asarray(c["_row"], dtype="int64")
    df["voce_code"] = pd.Series(_mapped(parse_code, c["voce"]), dtype="object")
    df["area_code"] = pd.Series(_mapped(parse_code, c["area"]), dtype="object")
    df["importo_totale_num"] = _num(total)
    df["quota_cofinanziamento_num"] = _num(cofin)
    df["chk__importo_totale_format"] = pd.Series(
        _fmt_flag(c["importo_totale"], total), dtype="object"
    )
    df["chk__quota_cofinanziamento_format"] = pd.Series(
        _fmt_flag(c["quota_cofinanziamento"], cofin), dtype="object"
    )
    return df


FRAMES = {"interventi": interventions_frame, "spese": expenses_frame}
