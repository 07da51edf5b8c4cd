"""The raw and meta schemas on PostgreSQL (OSSERVATORIO_WAREHOUSE_URL): the same inbox
ingested into DuckDB and into PostgreSQL records the same rows and answers partners the same;
a second run records nothing, a crash before the commit leaves nothing; the steward's
approvals, the build ledger and the analysts' read-only role work there; the URL's password
never shows."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pipelines import settings as settings_mod
from pipelines.approval import steward
from pipelines.ingest import IngestSummary, ingest
from pipelines.settings import Settings, SettingsError
from pipelines.warehouse import engine, plan, raw
from tests.conftest import point_at
from tests.helpers import at, row, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "partner_files"
RAW_TABLES = ("raw.submissions", "raw.submission_issues", "raw.interventi", "raw.spese")
DIFFERS_BY_RUN = ("processed_at",)  # paths are relative to the workspace: they stay


def _settings(home: Path, mp: pytest.MonkeyPatch, url: str | None) -> Settings:
    point_at(home, mp)
    if url is None:
        mp.delenv("OSSERVATORIO_WAREHOUSE_URL", raising=False)
    else:
        mp.setenv("OSSERVATORIO_WAREHOUSE_URL", url)
    return settings_mod.load(home)


def _rows(settings: Settings, table: str) -> list[tuple]:
    with raw.connect(settings) as con:
        columns = ", ".join(c for c in plan._columns(con, table) if c not in DIFFERS_BY_RUN)
        return con.execute(f"select {columns} from {table} order by {columns}").fetchall()


def _corpus_inbox(inbox: Path) -> None:
    """Every evaluated file of the corpus for P01's March, and two months of P02."""
    month = inbox / "P01" / "2026-03"
    month.mkdir(parents=True)
    for case in json.loads((CORPUS / "expected.json").read_text())["cases"]:
        if case["kind"] != "reader":
            shutil.copy2(CORPUS / case["file"], month / case["file"])
    for period, day in (("2026-03", "2026-04-03"), ("2026-04", "2026-05-04")):
        write_xlsx(
            inbox / "P02" / period / "mese.xlsx",
            [row(i, period) for i in range(6)],
            mtime=at(day),
        )


@dataclasses.dataclass
class Ingested:
    settings: Settings
    summary: IngestSummary


@pytest.fixture(scope="module")
def ingested(postgres_server, tmp_path_factory) -> Iterator[dict[str, Ingested]]:
    """The same inbox ingested once into DuckDB and once into PostgreSQL."""
    source = tmp_path_factory.mktemp("corpus")
    _corpus_inbox(source / "inbox")
    urls = {"duckdb": None, "postgres": postgres_server.create_database("ingested")}
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        for name, url in urls.items():
            home = tmp_path_factory.mktemp(name)
            shutil.copytree(source / "inbox", home / "inbox", copy_function=shutil.copy2)
            settings = _settings(home, mp, url)
            out[name] = Ingested(settings, ingest(settings))
        yield out


def test_the_settings_choose_the_engine(ingested) -> None:
    with raw.connect(ingested["duckdb"].settings) as con:
        assert con.engine == "duckdb"
    with raw.connect(ingested["postgres"].settings) as con:
        assert con.engine == "postgres"
    assert not (ingested["postgres"].settings.home / "warehouse.duckdb").exists()


@pytest.mark.parametrize("table", RAW_TABLES)
def test_postgres_records_what_duckdb_records(ingested, table: str) -> None:
    duck = _rows(ingested["duckdb"].settings, table)
    assert duck, table  # the corpus fills every raw table
    assert _rows(ingested["postgres"].settings, table) == duck


def test_the_summary_and_the_feedback_are_the_same(ingested) -> None:
    duck, pg = ingested["duckdb"], ingested["postgres"]
    assert duck.summary.rejected > 30 and duck.summary.accepted > 5
    assert dataclasses.replace(pg.summary, seconds={}) == dataclasses.replace(
        duck.summary, seconds={}
    )

    def feedback(home: Path) -> dict[str, bytes]:
        out = home / "outbox"
        return {
            str(p.relative_to(out)): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.suffix in (".html", ".json")
        }

    pages = feedback(duck.settings.home)
    assert len(pages) >= 2 * duck.summary.new
    assert feedback(pg.settings.home) == pages


def test_a_second_ingest_on_postgres_records_nothing(ingested) -> None:
    settings = ingested["postgres"].settings
    before = {t: _rows(settings, t) for t in RAW_TABLES}
    again = ingest(settings)
    assert (again.seen, again.new) == (ingested["postgres"].summary.seen, 0)
    assert {t: _rows(settings, t) for t in RAW_TABLES} == before


def test_the_build_ledger_on_postgres(ingested) -> None:
    settings = ingested["postgres"].settings
    first = plan.plan_build(settings)
    assert (first.reason, first.full_refresh) == ("first build", True)
    assert len(first.submission_ids) == ingested["postgres"].summary.new
    assert plan.pending(settings) is None
    plan.save_pending(settings, first)
    assert plan.pending(settings) == first
    plan.record_build(settings, first)
    assert plan.pending(settings) is None
    with raw.connect(settings) as con:
        built = con.execute("select submission_id from meta.built_submissions").fetchall()
        builds = con.execute("select full_refresh, submissions, inputs from meta.builds").fetchall()
    assert sorted(i for (i,) in built) == sorted(first.submission_ids)
    assert builds == [(True, len(first.submission_ids), first.inputs)]
    plan.record_build(settings, first)  # the same submissions again: kept once
    second = plan.plan_build(settings)
    assert not second.full_refresh and second.reason != "first build"
    assert second.inputs == first.inputs  # the digest of the ledgers is stable


# The interface, the same on both engines ----------------------------------------------------
@pytest.fixture(params=["duckdb", "postgres"])
def connection(request, tmp_path: Path) -> Iterator[engine.Connection]:
    if request.param == "duckdb":
        con = engine.open_duckdb(tmp_path / "warehouse.duckdb")
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"interface_{tmp_path.name.replace('-', '_')}")
        con = engine.connect_postgres(settings_mod.DatabaseUrl(url))
    with con:
        con.execute("create schema s; create table s.t (n integer, x decimal(6, 2), v varchar)")
        yield con


def test_the_interface_is_the_same_on_both_engines(connection: engine.Connection) -> None:
    import pandas as pd

    con = connection
    con.executemany("insert into s.t values (?, ?, ?)", [[1, 1.5, "a"], [2, None, "50% ?"]])
    assert con.execute("select v, '?', '%' from s.t where n = ?", [2]).fetchone() == (
        "50% ?",
        "?",
        "%",
    )
    # by name, floats into integers and decimals, NaN as null, as DuckDB reads a frame
    con.insert_frame("s.t", pd.DataFrame({"v": ["c", None], "n": [3.0, None], "x": [0.125, 2]}))
    con.temp_table_from_frame("incoming_t", pd.DataFrame({"n": [9], "v": [None]}), like="s.t")
    con.execute("insert into s.t (n, v) select n, v from incoming_t")
    with pytest.raises(RuntimeError), con.transaction():
        con.execute("insert into s.t values (?, ?, ?)", [4, 4, "rolled back"])
        raise RuntimeError("before the commit")
    got = con.frame("select n, x, v from s.t order by n")
    assert list(got.columns) == ["n", "x", "v"]
    rows = [
        tuple(None if pd.isna(v) else v if isinstance(v, str) else float(v) for v in r)
        for r in got.itertuples(index=False)
    ]
    assert rows == [
        (1, 1.5, "a"),
        (2, None, "50% ?"),
        (3, 0.13, "c"),
        (9, None, None),
        (None, 2, None),
    ]


# A crash before the batch's commit ----------------------------------------------------------
CRASH_AT_COMMIT = """
import os, signal
from pipelines import settings
from pipelines.ingest import ingest
from pipelines.warehouse import engine

execute = engine.PostgresConnection.execute

def crash_at_commit(self, sql, params=None):
    if sql.strip().lower() == "commit":
        os.kill(os.getpid(), signal.SIGKILL)
    return execute(self, sql, params)

engine.PostgresConnection.execute = crash_at_commit
ingest(settings.load())
"""


def test_a_crash_before_the_commit_on_postgres_leaves_nothing(
    postgres_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "workspace"
    month = home / "inbox" / "P01" / "2026-03"
    month.mkdir(parents=True)
    for name in ("clean_interventi_spese.xlsx", "clean_spese.csv", "rule_esito_value.csv"):
        shutil.copy2(CORPUS / name, month / name)
    settings = _settings(home, monkeypatch, postgres_server.create_database("crashed"))
    monkeypatch.setenv("OSSERVATORIO_WORKERS", "1")
    done = subprocess.run(
        [sys.executable, "-c", CRASH_AT_COMMIT], cwd=ROOT, capture_output=True, timeout=600
    )
    assert done.returncode == -9, done.stderr.decode()[-2000:]  # killed at the commit
    assert any((home / "archive").rglob("*.xlsx"))  # the per-file work was done
    assert all(_rows(settings, t) == [] for t in RAW_TABLES)
    again = ingest(settings)
    assert (again.new, again.accepted, again.rejected) == (3, 2, 1)
    ledger = _rows(settings, "raw.submissions")
    assert sorted(r[3] for r in ledger) == sorted(p.name for p in month.iterdir())
    assert [r[7] for r in sorted(ledger, key=lambda r: r[7])] == [1, 2, 3]  # versions, once


# The steward's approvals ----------------------------------------------------------------------
def _approval_files(source: Path) -> dict[str, Path]:
    """Two partners' March, then a correction of P01's (written once: a workbook's bytes
    hold the time it was written)."""
    files = {}
    for partner, first in (("P01", 0), ("P02", 20)):
        files[f"{partner}/2026-03/marzo.xlsx"] = write_xlsx(
            source / partner / "marzo.xlsx",
            [row(first + i) for i in range(4)],
            mtime=at("2026-04-05"),
        )
    files["P01/2026-03/marzo_v2.xlsx"] = write_xlsx(
        source / "P01" / "marzo_v2.xlsx", [row(i) for i in range(5)], mtime=at("2026-04-20")
    )
    return files


def _approve_hold_reopen(settings: Settings, files: dict[str, Path]) -> list[list[tuple]]:
    inbox = settings.home / "inbox"

    def arrive(name: str) -> None:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(files[name], inbox / name)

    arrive("P01/2026-03/marzo.xlsx")
    arrive("P02/2026-03/marzo.xlsx")
    ingest(settings)
    assert steward.approve(settings, "2026-03", "Anna").ok  # both partners
    arrive("P01/2026-03/marzo_v2.xlsx")
    assert ingest(settings).held == 1
    assert steward.reopen(settings, "2026-03", "P01", "Anna", "a correction").ok
    assert [r.file_name for r in ingest(settings).released] == ["marzo_v2.xlsx"]
    assert steward.approve(settings, "2026-03", "Bruno", partner="P01", note="ok").ok
    with raw.connect(settings) as con:
        approvals = con.execute(
            "select approval_seq, partner_code, period, action, acted_by, note, sha256 "
            "from raw.period_approvals order by approval_seq"
        ).fetchall()
        released = con.execute(
            "select s.file_name, s.status from raw.held_releases r "
            "join raw.submissions s on s.submission_id = r.submission_id"
        ).fetchall()
    return [approvals, released, _rows(settings, "raw.submissions")]


def test_approve_and_reopen_on_postgres_write_what_duckdb_writes(
    postgres_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _approval_files(tmp_path / "files")
    duck = _approve_hold_reopen(_settings(tmp_path / "duckdb", monkeypatch, None), files)
    url = postgres_server.create_database("approvals")
    pg = _approve_hold_reopen(_settings(tmp_path / "postgres", monkeypatch, url), files)
    assert [len(x) for x in duck] == [4, 1, 3]
    assert pg == duck


# The analysts' role -----------------------------------------------------------------------------
def _reader_url(postgres_server, database: str, password: str) -> str:
    return (
        f"postgresql://{engine.READER_ROLE}:{password}@{postgres_server.host}:"
        f"{postgres_server.port}/{database}"
    )


def test_the_reader_role_reads_marts_and_writes_nothing(postgres_server) -> None:
    url = postgres_server.create_database("reader")
    platform = engine.connect_postgres(settings_mod.DatabaseUrl(url))
    platform.execute(raw.DDL)
    platform.execute("create schema marts")
    platform.execute("create table marts.indicator_values (code varchar, value double precision)")
    platform.execute("insert into marts.indicator_values values ('IND01', 0.5)")
    engine.create_reader_role(platform, "first-password")
    engine.create_reader_role(platform, "reader-password")  # again: the password changes
    platform.execute("create table marts.later (n integer)")
    platform.execute("insert into marts.later values (7)")
    platform.close()

    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_reader_url(postgres_server, "reader", "first-password"))
    with psycopg.connect(
        _reader_url(postgres_server, "reader", "reader-password"), autocommit=True
    ) as reader:
        assert reader.execute("select * from marts.indicator_values").fetchall() == [("IND01", 0.5)]
        assert reader.execute("select n from marts.later").fetchall() == [(7,)]
        for statement in (
            "insert into marts.indicator_values values ('IND02', 1)",
            "update marts.indicator_values set value = 1",
            "delete from marts.indicator_values",
            "create table marts.mine (n integer)",
            "create table raw.mine (n integer)",
            "create table public.mine (n integer)",
            "create schema mine",
            "select count(*) from raw.submissions",
            "insert into raw.spese (submission_id) values ('x')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                reader.execute(statement)


# The password never shows ------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_does_not_show_the_password(
    postgres_server, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = postgres_server.password
    url = f"postgresql://{postgres_server.user}:{password}@127.0.0.1:{_closed_port()}/x"
    settings = _settings(home, monkeypatch, url)
    assert password not in repr(settings) + repr(settings.warehouse_url) + str(
        settings.warehouse_url
    )
    with pytest.raises(engine.WarehouseUnreachable) as caught:
        raw.connect(settings)
    told = "".join(traceback.format_exception(caught.value))
    assert "Connection refused" in told and "***" in told
    assert password not in told


@pytest.mark.parametrize(
    "url", ["mysql://u:secret-pw@db:3306/w", "postgresql://u:secret-pw@db:port/w", "secret-pw"]
)
def test_a_url_that_is_not_postgresql_is_refused_without_echoing_it(
    url: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SettingsError, match="OSSERVATORIO_WAREHOUSE_URL") as caught:
        _settings(home, monkeypatch, url)
    assert "secret-pw" not in str(caught.value)
