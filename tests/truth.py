"""The generator's ground truth in plain pandas, independently of the SQL: the interventions
and expenses it wrote (with the codici fiscali it knows), and each indicator recomputed from
them, for the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def load(truth: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The generator's interventions and expenses, with person, household and consortium."""
    iv = pd.read_csv(truth / "truth_interventions.csv", dtype=str, keep_default_na=False)
    ex = pd.read_csv(truth / "truth_expenses.csv", dtype=str, keep_default_na=False)
    partners = pd.read_csv(SEEDS / "partners.csv", dtype=str)
    consortium = dict(zip(partners.partner_code, partners.consortium_code, strict=True))
    iv["consortium"] = iv.partner_code.map(consortium)
    ex["consortium"] = ex.partner_code.map(consortium)
    iv["person"] = iv.codice_fiscale.str.strip().str.upper().where(iv.anonimo != "SI", "")
    iv["household"] = iv.partner_code + "|" + iv.codice_nucleo
    iv["amount"] = pd.to_numeric(iv.importo_euro.replace("", "0"))
    iv["minors"] = pd.to_numeric(iv.minori_nucleo)
    iv["age"] = pd.to_numeric(iv.data_intervento.str[:4]) - pd.to_numeric(iv.anno_nascita)
    ex["total"] = pd.to_numeric(ex.importo_totale)
    return iv, ex, consortium


def scopes(consortium: dict) -> list[tuple[str, str | None]]:
    return (
        [("partnership", None)]
        + [("consortium", c) for c in sorted(set(consortium.values()))]
        + [("partner", p) for p in sorted(consortium)]
    )


def in_scope(df: pd.DataFrame, scope: str, code: str | None) -> pd.DataFrame:
    if scope == "consortium":
        return df[df.consortium == code]
    if scope == "partner":
        return df[df.partner_code == code]
    return df


def expected(iv: pd.DataFrame, ex: pd.DataFrame, code: str) -> float | None:
    persons = iv[iv.person != ""]
    latest_lav04 = None
    match code:
        case "REACH_PERSONS":
            return persons.person.nunique()
        case "REACH_HOUSEHOLDS":
            return iv.household.nunique()
        case "REACH_HOUSEHOLDS_MINORS":
            return iv[iv.minors >= 1].household.nunique()
        case "REACH_MINORS_DIRECT":
            return persons[persons.age <= 17].person.nunique()
        case "REACH_CONTACTS_ANON":
            return int((iv.anonimo == "SI").sum())
        case "POV_FOOD_CONTACTS":
            return int(iv.tipo_intervento.isin(["POV01", "POV04"]).sum())
        case "POV_CASH_EUR":
            return round(float(iv[iv.tipo_intervento.isin(["POV02", "POV03"])].amount.sum()), 2)
        case "CASA_ARREARS_EUR":
            return round(float(iv[iv.tipo_intervento == "CASA01"].amount.sum()), 2)
        case "CASA_ARREARS_HOUSEHOLDS":
            return iv[iv.tipo_intervento == "CASA01"].household.nunique()
        case "LEG_ADS_OPENED":
            return persons[persons.tipo_intervento == "LEG02"].person.nunique()
        case "LAV_PERSONS":
            return persons[persons.area == "LAV"].person.nunique()
        case "PERSONS_MULTI_AREA":
            return int((persons.groupby("person").area.nunique() >= 2).sum())
        case "PERSONS_MULTI_PARTNER":
            return int((persons.groupby("person").partner_code.nunique() >= 2).sum())
        case "MINORS_IN_HOUSEHOLDS":
            return int(iv.groupby("household").minors.max().sum()) if len(iv) else 0
        case "FIN_SPEND_EUR":
            return round(float(ex.total.sum()), 2)
        case "LAV_PLACEMENT_RATE":
            rows = persons[(persons.tipo_intervento == "LAV04") & (persons.esito != "")].copy()
            rows["closed"] = rows.esito != "IN_CORSO"
            rows["row"] = pd.to_numeric(rows.row_number)
            latest_lav04 = (
                rows.sort_values(["data_intervento", "closed", "row", "partner_code"])
                .groupby("person")
                .tail(1)
            )
            closed = latest_lav04[latest_lav04.closed]
            if closed.empty:
                return None
            return float(closed.esito.isin(["ASSUNTO_TD", "ASSUNTO_TI"]).sum()) / len(closed)
    raise AssertionError(code)


CHECKED = [
    "REACH_PERSONS",
    "REACH_HOUSEHOLDS",
    "REACH_HOUSEHOLDS_MINORS",
    "REACH_MINORS_DIRECT",
    "REACH_CONTACTS_ANON",
    "POV_FOOD_CONTACTS",
    "POV_CASH_EUR",
    "CASA_ARREARS_EUR",
    "CASA_ARREARS_HOUSEHOLDS",
    "LEG_ADS_OPENED",
    "LAV_PERSONS",
    "PERSONS_MULTI_AREA",
    "PERSONS_MULTI_PARTNER",
    "MINORS_IN_HOUSEHOLDS",
    "FIN_SPEND_EUR",
    "LAV_PLACEMENT_RATE",
]


# The windows of indicators.md: which rows of the data each one holds at a period.
WINDOWS = {
    "month": lambda d, p: d[d.period == p],
    "year": lambda d, p: d[(d.period <= p) & (d.period.str[:4] == p[:4])],
    "cumulative": lambda d, p: d[d.period <= p],
}
