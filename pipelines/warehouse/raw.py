"""The raw schema: what ingestion writes, one DuckDB transaction per received file.

Rows are stored as received but typed and pseudonymised: `person_id` replaces the codice
fiscale, identifier columns never arrive here. Which version of a partner-month counts is
decided in SQL (dbt), from the ledger `raw.submissions`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.privacy.pseudonym import pseudonym

DDL = """
create schema if not exists raw;
create table if not exists raw.submissions (
    submission_id varchar primary key,
    partner_code varchar not null,
    period varchar not null,
    file_name varchar not null,
    sha256 varchar not null,
    size_bytes bigint,
    received_at timestamptz not null,
    processed_at timestamptz not null,
    version integer,
    status varchar not null,
    delivers_interventi boolean not null,
    delivers_spese boolean not null,
    rows_read integer not null,
    rows_accepted integer not null,
    errors integer not null,
    warnings integer not null,
    archive_path varchar,
    quarantine_path varchar,
    feedback_path varchar,
    unique (partner_code, period, sha256)
);
create table if not exists raw.submission_issues (
    submission_id varchar not null,
    severity varchar not null,
    rule varchar not null,
    sheet varchar,
    row_number integer,
    column_header varchar
);
create table if not exists raw.interventi (
    submission_id varchar not null,
    row_number integer not null,
    id_intervento varchar not null,
    person_id varchar,
    anonimo boolean not null,
    anno_nascita integer not null,
    sesso varchar not null,
    comune_residenza varchar not null,
    cittadinanza varchar,
    codice_nucleo varchar not null,
    componenti_nucleo integer not null,
    minori_nucleo integer not null,
    area varchar not null,
    tipo_intervento varchar not null,
    data_intervento date not null,
    importo_euro decimal(12, 2),
    ore decimal(6, 2),
    esito varchar,
    inviante varchar
);
create table if not exists raw.spese (
    submission_id varchar not null,
    row_number integer not null,
    voce varchar not null,
    area varchar not null,
    importo_totale decimal(14, 2) not null,
    quota_cofinanziamento decimal(14, 2) not null,
    note varchar
);
"""


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(DDL)
    return con


def known_keys(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select partner_code, period, sha256 from raw.submissions").fetchall()
    return {f"{p}|{m}|{s}" for p, m, s in rows}


def next_version(con: duckdb.DuckDBPyConnection, partner: str, period: str) -> int:
    row = con.execute("select coalesce(max(version), 0) + 1 from raw.submissions "
                      "where partner_code = ? and period = ?", [partner, period]).fetchone()
    return int(row[0]) if row else 1


def interventions_rows(df: pd.DataFrame, submission_id: str, key: bytes) -> pd.DataFrame:
    anon = (df["anonimo_code"] == "SI").to_numpy()
    person = [None if a or cf is None else pseudonym(key, cf)
              for a, cf in zip(anon, df["cf_norm"], strict=True)]
    return pd.DataFrame({
        "submission_id": submission_id,
        "row_number": df["_row"].astype("int64").to_numpy(),
        "id_intervento": df["id_intervento"].to_numpy(),
        "person_id": pd.Series(person, dtype="object").to_numpy(),
        "anonimo": anon,
        "anno_nascita": df["anno_nascita_int"].astype("int64").to_numpy(),
        "sesso": df["sesso_code"].to_numpy(),
        "comune_residenza": df["comune_istat"].to_numpy(),
        "cittadinanza": df["cittadinanza_code"].to_numpy(),
        "codice_nucleo": df["codice_nucleo"].to_numpy(),
        "componenti_nucleo": df["componenti_int"].astype("int64").to_numpy(),
        "minori_nucleo": df["minori_int"].astype("int64").to_numpy(),
        "area": df["area_code"].to_numpy(),
        "tipo_intervento": df["tipo_code"].to_numpy(),
        "data_intervento": pd.to_datetime(pd.Series(df["data_date"].to_numpy())).to_numpy(),
        "importo_euro": df["importo_num"].round(2).to_numpy(),
        "ore": df["ore_num"].round(2).to_numpy(),
        "esito": df["esito_code"].to_numpy(),
        "inviante": df["inviante_code"].to_numpy(),
    })


def expenses_rows(df: pd.DataFrame, submission_id: str) -> pd.DataFrame:
    return pd.DataFrame({
        "submission_id": submission_id,
        "row_number": df["_row"].astype("int64").to_numpy(),
        "voce": df["voce_code"].to_numpy(),
        "area": df["area_code"].to_numpy(),
        "importo_totale": df["importo_totale_num"].round(2).to_numpy(),
        "quota_cofinanziamento": df["quota_cofinanziamento_num"].round(2).to_numpy(),
        "note": df["note"].to_numpy(),
    })


def record_submission(con: duckdb.DuckDBPyConnection, ledger: dict, issues: list[dict],
                      interventi: pd.DataFrame | None, spese: pd.DataFrame | None) -> None:
    """One file, one transaction: the ledger row, its issues and its rows, or nothing."""
    con.execute("begin transaction")
    try:
        cols = list(ledger)
        con.execute(f"insert into raw.submissions ({', '.join(cols)}) values "
                    f"({', '.join('?' for _ in cols)})", [ledger[c] for c in cols])
        if issues:
            _insert(con, "raw.submission_issues", pd.DataFrame(issues))
        if interventi is not None and len(interventi):
            _insert(con, "raw.interventi", interventi)
        if spese is not None and len(spese):
            _insert(con, "raw.spese", spese)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    con.register("incoming", df)
    try:
        con.execute(f"insert into {table} by name select * from incoming")
    finally:
        con.unregister("incoming")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
