"""The validation frame: the cell texts of a run's files side by side with typed columns
and rule flags derived from them.

Great Expectations checks this frame (`expectations/*.json`). Rules that need the service
catalogue, the codice fiscale algorithm or several columns at once are computed here as a
`chk__<rule>` column (True = fine, False = broken, None = does not apply) that the suite
then expects to be True; every rule id still has exactly one expectation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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
    return np.array([np.nan if v is None or v is INVALID else float(v) for v in values],  # type: ignore[arg-type]
                    dtype="float64")


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


def interventions_frame(parts: Sequence[TablePart]) -> pd.DataFrame:
    c = _frame_base(parts, "interventi")
    services = reference.services()
    dec = c.pop("_decimal_comma")

    cf = _mapped(lambda v: cfmod.normalise(v) if v is not None else None, c["codice_fiscale"])
    anon = _mapped(parse_yes_no, c["anonimo"])
    is_anon = [a == "SI" for a in anon]
    year = _mapped(parse_int, c["anno_nascita"])
    comp = _mapped(parse_int, c["componenti_nucleo"], dec)
    mins = _mapped(parse_int, c["minori_nucleo"], dec)
    dates = _mapped(parse_date, c["data_intervento"])
    amount = _mapped(parse_number, c["importo_euro"], dec)
    hours = _mapped(parse_number, c["ore"], dec)
    tipo = _mapped(parse_service, c["tipo_intervento"])
    svc = [services.get(t) if t else None for t in tipo]
    sex = _mapped(parse_code, c["sesso"])
    esito = _mapped(parse_code, c["esito"])
    comune = _mapped(resolve_municipality, c["comune_residenza"])
    period_year = [int(p[:4]) for p in c["_period"]]

    df = pd.DataFrame({k: pd.Series(v, dtype="object") for k, v in c.items()
                       if k not in ("_file", "_row")})
    df["_file"] = np.asarray(c["_file"], dtype="int64")
    df["_row"] = np.asarray(c["_row"], dtype="int64")
    df["_period_year"] = np.asarray(period_year, dtype="float64")
    df["cf_norm"] = pd.Series(cf, dtype="object")
    df["anonimo_code"] = pd.Series(anon, dtype="object")
    df["anno_nascita_int"] = _num(year)
    df["componenti_int"] = _num(comp)
    df["minori_int"] = _num(mins)
    df["sesso_code"] = pd.Series(sex, dtype="object")
    df["cittadinanza_code"] = pd.Series(_mapped(parse_code, c["cittadinanza"]), dtype="object")
    df["area_code"] = pd.Series(_mapped(parse_code, c["area"]), dtype="object")
    df["tipo_code"] = pd.Series(tipo, dtype="object")
    df["tipo_area"] = pd.Series([s.area if s else None for s in svc], dtype="object")
    df["esito_code"] = pd.Series(esito, dtype="object")
    df["inviante_code"] = pd.Series(_mapped(parse_code, c["inviante"]), dtype="object")
    df["comune_istat"] = pd.Series(comune, dtype="object")
    df["data_date"] = pd.Series([d if isinstance(d, dt.date) else None for d in dates],
                                dtype="object")
    df["data_month"] = pd.Series([d.strftime("%Y-%m") if isinstance(d, dt.date) else None
                                  for d in dates], dtype="object")
    df["importo_num"] = _num(amount)
    df["ore_num"] = _num(hours)

    chk: dict[str, list[bool | None]] = {}
    ids = df["id_intervento"]
    dup = (ids.notna() & df.duplicated(subset=["_file", "id_intervento"], keep="first")).tolist()
    chk["id_intervento_duplicate"] = [False if d else None for d in dup]
    chk["codice_fiscale_required"] = [None if a else (v is not None) for a, v in zip(is_anon, cf, strict=True)]
    chk["codice_fiscale_with_anonymous"] = [(v is None) if a else None for a, v in zip(is_anon, cf, strict=True)]
    well = _mapped(lambda v: cfmod.is_well_formed(v) if v else None, cf)
    valid = _mapped(lambda v: cfmod.has_valid_check(v) if v else None, cf)
    chk["codice_fiscale_format"] = [None if (v is None or a) else w for v, a, w in zip(cf, is_anon, well, strict=True)]
    chk["codice_fiscale_check_char"] = [k if (v and w and not a) else None
                                        for v, a, w, k in zip(cf, is_anon, well, valid, strict=True)]
    chk["anonimo_not_allowed"] = [(s.anonymous_allowed if s else None) if a else None
                                  for a, s in zip(is_anon, svc, strict=True)]
    chk["anno_nascita_format"] = _fmt_flag(c["anno_nascita"], year)
    year_ok: list[bool | None] = []
    sex_ok: list[bool | None] = []
    birth = _mapped(lambda v: cfmod.birth_info(v) if v else None, cf)
    for v, a, w, k, b, y, s in zip(cf, is_anon, well, valid, birth, year, sex, strict=True):
        if a or not w or v is None or not k:
            year_ok.append(None)
            sex_ok.append(None)
            continue
        yi = y if isinstance(y, int) else None
        ya, sa = cfmod.info_agrees(b, yi, s)
        year_ok.append(None if yi is None else ya)
        sex_ok.append(None if s not in ("M", "F") else sa)
    chk["anno_nascita_cf_mismatch"] = year_ok
    chk["sesso_cf_mismatch"] = sex_ok
    chk["comune_residenza_unknown"] = [None if r is None else (k is not None)
                                       for r, k in zip(c["comune_residenza"], comune, strict=True)]
    chk["componenti_nucleo_format"] = _fmt_flag(c["componenti_nucleo"], comp)
    chk["minori_nucleo_format"] = _fmt_flag(c["minori_nucleo"], mins)
    minor_ok: list[bool | None] = []
    for y, d, m in zip(year, dates, mins, strict=True):
        if not isinstance(y, int) or not isinstance(d, dt.date) or not isinstance(m, int):
            minor_ok.append(None)
        else:
            minor_ok.append(m >= 1 if d.year - y <= 17 else None)
    chk["minori_nucleo_minor_person"] = minor_ok
    chk["data_intervento_format"] = _fmt_flag(c["data_intervento"], dates)
    chk["importo_euro_format"] = _fmt_flag(c["importo_euro"], amount)
    chk["importo_euro_required"] = [
        (isinstance(a, float) and a > 0) if (s and s.monetary and a is not INVALID) else None
        for s, a in zip(svc, amount, strict=True)]
    chk["importo_euro_not_monetary"] = [
        (a is None or a == 0) if (s and not s.monetary and a is not INVALID) else None
        for s, a in zip(svc, amount, strict=True)]
    chk["ore_format"] = _fmt_flag(c["ore"], hours)
    chk["esito_required"] = [(e is not None) if (s and s.outcome_required) else None
                             for s, e in zip(svc, esito, strict=True)]
    chk["esito_value"] = [(e in s.outcomes) if (s and e is not None) else None
                          for s, e in zip(svc, esito, strict=True)]
    for rule, flags in chk.items():
        df[f"chk__{rule}"] = pd.Series(flags, dtype="object")
    return df


def expenses_frame(parts: Sequence[TablePart]) -> pd.DataFrame:
    c = _frame_base(parts, "spese")
    dec = c.pop("_decimal_comma")
    total = _mapped(parse_number, c["importo_totale"], dec)
    cofin = _mapped(parse_number, c["quota_cofinanziamento"], dec)
    df = pd.DataFrame({k: pd.Series(v, dtype="object") for k, v in c.items()
                       if k not in ("_file", "_row")})
    df["_file"] = np.asarray(c["_file"], dtype="int64")
    df["_row"] = np.asarray(c["_row"], dtype="int64")
    df["voce_code"] = pd.Series(_mapped(parse_code, c["voce"]), dtype="object")
    df["area_code"] = pd.Series(_mapped(parse_code, c["area"]), dtype="object")
    df["importo_totale_num"] = _num(total)
    df["quota_cofinanziamento_num"] = _num(cofin)
    df["chk__importo_totale_format"] = pd.Series(_fmt_flag(c["importo_totale"], total), dtype="object")
    df["chk__quota_cofinanziamento_format"] = pd.Series(_fmt_flag(c["quota_cofinanziamento"], cofin),
                                                        dtype="object")
    return df


FRAMES = {"interventi": interventions_frame, "spese": expenses_frame}
