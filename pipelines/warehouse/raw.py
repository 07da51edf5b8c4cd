"""The raw schema: what ingestion writes, one transaction per batch of received files, on
either engine (pipelines/warehouse/engine.py: the DDL and the statements are written for both).

Rows are stored as received but typed and pseudonymised: `person_id` replaces the codice
fiscale, identifier columns never arrive here. Which version of a partner-month counts is
decided in SQL (dbt), from the ledger `raw.submissions`. The steward's approvals and
reopenings are `raw.period_approvals` (append-only); a `held` file applied after a reopening
is a row of `raw.held_releases` (pipelines/approval/).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.settings import Settings
from pipelines.warehouse import engine

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
create table if not exists raw.period_approvals (
    approval_seq integer primary key,
    partner_code varchar not null,
    period varchar not null,
    action varchar not null,
    acted_at timestamptz not null,
    acted_by varchar not null,
    note varchar,
    sha256 varchar
);
create table if not exists raw.held_releases (
    submission_id varchar primary key,
    released_at timestamptz not null
);
"""


def connect(where: Settings | Path) -> engine.Connection:
    """The warehouse the settings name (or the DuckDB file at a path), its raw tables made."""
    con = engine.open_duckdb(where) if isinstance(where, Path) else engine.connect(where)
    try:
        con.execute(DDL)
    except BaseException:
        con.close()
        raise
    return con


def known_keys(con: engine.Connection) -> set[str]:
    rows = con.execute("select partner_code, period, sha256 from raw.submissions").fetchall()
    return {f"{p}|{m}|{s}" for p, m, s in rows}


def versions(con: engine.Connection) -> dict[tuple[str, str], int]:
    """The last version recorded of every (partner, period): the next version of each, for a whole run
    (its writer holds the workspace lock, so nobody else records meanwhile)."""
    rows = con.execute(
        "select partner_code, period, max(version) from raw.submissions "
        "group by partner_code, period"
    ).fetchall()
    return {(p, m): int(v or 0) for p, m, v in rows}


STAGED_TABLES = ("submission_issues", "interventi", "spese")


@dataclass
class Stage:
    """Rows of a batch's files, typed once into temporary tables `stage_<table>` (column
    `_file` says whose); each file's transaction copies its own rows from there."""

    files: dict[str, set[int]] = field(default_factory=dict)  # table -> files staged
    columns: dict[str, list[str]] = field(default_factory=dict)  # table -> its staged columns


def record_submissions(con: engine.Connection, ledgers: list[dict], stage: Stage) -> None:
    """A batch's files, one transaction: their ledger rows, and the issues and rows the
    batch's `stage` holds for them, or nothing."""
    with con.transaction():
        if ledgers:
            import pandas as pd  # a batch's ledger rows at once (row by row costs a ms each)

            con.insert_frame("raw.submissions", pd.DataFrame(ledgers))
        for table in STAGED_TABLES:
            if stage.files[table]:
                columns = ", ".join(stage.columns[table])
                con.execute(
                    f"insert into raw.{table} ({columns}) select {columns} "
                    f"from stage_{table}"  # in the files' order, as staged
                )


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
