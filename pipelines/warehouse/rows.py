"""The rows of a batch's files as the raw tables store them: typed from the validation
frames, codici fiscali replaced by pseudonyms, staged in temporary tables from which the
batch's transaction (`raw.record_submissions`) copies them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from pipelines.privacy.pseudonym import pseudonym
from pipelines.validation.derived import TO_RAW
from pipelines.warehouse.engine import Connection
from pipelines.warehouse.raw import STAGED_TABLES, Stage


def interventions_rows(
    df: pd.DataFrame,
    submission_id: str | np.ndarray,
    key: bytes,
    pseudonyms: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The rows of raw.interventi; `submission_id` one for all rows or one per row.
    `pseudonyms` (codice fiscale -> person_id) saves HMACs across the files of a run."""
    anon = (df["anonimo_code"] == "SI").to_numpy()
    # one HMAC per distinct code: a person often has several rows
    codes, uniques = pd.factorize(df["cf_norm"].to_numpy(dtype=object), use_na_sentinel=True)
    known = {} if pseudonyms is None else pseudonyms
    ids = np.empty(len(uniques) + 1, dtype=object)
    for j, cf in enumerate(uniques):
        pid = known.get(cf)
        if pid is None:
            pid = known[cf] = pseudonym(key, cf)
        ids[j] = pid
    ids[-1] = None
    person = ids[codes]  # code -1: no codice fiscale
    person[anon] = None
    return pd.DataFrame(
        {
            "submission_id": submission_id,
            "row_number": df["_row"].astype("int64").to_numpy(),
            "person_id": person,
            "anonimo": anon,
            **_typed(df, "interventi"),
        }
    )


def expenses_rows(df: pd.DataFrame, submission_id: str | np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "submission_id": submission_id,
            "row_number": df["_row"].astype("int64").to_numpy(),
            **_typed(df, "spese"),
        }
    )


# How a frame column becomes its raw column's type (as is, otherwise).
_AS_RAW: dict[str, Callable[[pd.Series], np.ndarray]] = {
    "anno_nascita": lambda s: s.astype("int64").to_numpy(),
    "componenti_nucleo": lambda s: s.astype("int64").to_numpy(),
    "minori_nucleo": lambda s: s.astype("int64").to_numpy(),
    "data_intervento": lambda s: pd.to_datetime(pd.Series(s.to_numpy())).to_numpy(),
    "importo_euro": lambda s: s.round(2).to_numpy(),
    "ore": lambda s: s.round(2).to_numpy(),
    "importo_totale": lambda s: s.round(2).to_numpy(),
    "quota_cofinanziamento": lambda s: s.round(2).to_numpy(),
}


def _typed(df: pd.DataFrame, table: str) -> dict[str, np.ndarray]:
    """The raw table's typed columns from the validation frame (derived.TO_RAW)."""
    return {
        raw: _AS_RAW.get(raw, lambda s: s.to_numpy())(df[frame])
        for raw, frame in TO_RAW[table].items()
    }


def stage_rows(con: Connection, rows: dict[str, pd.DataFrame]) -> Stage:
    """`rows`: table -> rows as `interventions_rows`/`expenses_rows` give them (issues as
    `record_submissions` takes them), plus `_file`.
    Temporary tables live in this connection only (DuckDB: in memory; PostgreSQL: in the
    session's temporary schema), never in the warehouse."""
    stage = Stage()
    for table in STAGED_TABLES:
        df = rows.get(table)
        if df is None:
            df = pd.DataFrame({"_file": np.zeros(0, dtype="int64")})
        con.temp_table_from_frame(f"stage_{table}", df, like=f"raw.{table}")
        stage.files[table] = set(np.unique(df["_file"].to_numpy()).tolist())
        stage.columns[table] = [str(c) for c in df.columns if c != "_file"]
    return stage
