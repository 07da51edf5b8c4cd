"""The warehouse on PostgreSQL (OSSERVATORIO_WAREHOUSE_URL, interfaces.md) against the embedded
DuckDB, on a real throw-away PostgreSQL 15 server (tests/postgres.py): the same generated
multi-year scenario ingested and built on both engines publishes the same marts row for row
(secondary suppression included); the pipeline's own DuckDB extract of the PostgreSQL marts
equals DuckDB's published copy, types too; the analysts' role `osservatorio_reader` reads
`marts` and nothing else and writes nothing; an analyst's transaction open across a whole
build and publication neither blocks it nor sees it half done."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
import shutil
import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from pipelines import settings as settings_mod
from pipelines.ingest import ingest
from pipelines.settings import DatabaseUrl, Secret
from pipelines.synthetic.generator import GeneratorConfig, generate
from pipelines.warehouse.build import build_warehouse
from tests.conftest import point_at

CONFIG = GeneratorConfig(
    seed=23,
    partners=4,
    start_period="2026-01",
    months=14,
    rows_per_file=25,
    error_rate=0.04,
    missing_rate=0.02,
    correction_rate=0.2,
    follow_up_paths=0.5,
)
AS_OF = dt.date(2027, 3, 20)  # 2027-02 has ended: the year window starts again in 2027
READER_PASSWORD = secrets.token_urlsafe(18)
# Columns that record when the pipeline ran, not what it computed.
VOLATILE = {"processed_at"}


def _settings(home: Path, url: str | None) -> settings_mod.Settings:
    settings = settings_mod.load(home)
    if url is None:
        return settings
    return dataclasses.replace(
        settings,
        warehouse_url=DatabaseUrl(url),
        reader_password=Secret(READER_PASSWORD.encode()),
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, postgres_server):
    """The same inbox ingested and built on DuckDB and on PostgreSQL."""
    generated = tmp_path_factory.mktemp("generated")
    generate(generated / "inbox", CONFIG, manifest_path=generated / "manifest.json")
    url = postgres_server.create_database("warehouse_e2e")
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        for engine, engine_url in (("duckdb", None), ("postgres", url)):
            home = point_at(tmp_path_factory.mktemp(engine), mp)
            shutil.copytree(generated / "inbox", home / "inbox")
            settings = _settings(home, engine_url)
            summary = ingest(settings)
            plan = build_warehouse(settings, as_of=AS_OF)
            out[engine] = {"home": home, "settings": settings, "summary": summary, "plan": plan}
    return out


def _duckdb_tables(path: Path) -> dict[str, list[tuple[str, str]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, []).append((column, kind))
    return tables


def _select(table: str, columns: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE)
    return f'select {names} from marts."{table}"'


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def test_both_engines_ingest_and_plan_alike(built) -> None:
    duck, pg = built["duckdb"], built["postgres"]
    assert pg["summary"].accepted == duck["summary"].accepted > 0
    assert pg["summary"].rejected == duck["summary"].rejected
    assert pg["plan"].full_refresh and duck["plan"].full_refresh
    assert pg["plan"].submission_ids == duck["plan"].submission_ids


def test_both_engines_publish_the_same_marts_row_for_row(built, postgres_server) -> None:
    tables = _duckdb_tables(built["duckdb"]["home"] / "published" / "warehouse.duckdb")
    assert {"indicator_values", "indicator_breakdowns", "cohort_outcomes"} <= set(tables)
    duck = duckdb.connect(
        str(built["duckdb"]["home"] / "published" / "warehouse.duckdb"), read_only=True
    )
    try:
        with psycopg.connect(postgres_server.url("warehouse_e2e")) as pg:
            published = {
                t
                for (t,) in pg.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'"
                ).fetchall()
            }
            assert published == set(tables)
            for table, columns in tables.items():
                sql = _select(table, [c for c, _ in columns])
                expected = _sorted(duck.execute(sql).fetchall())
                actual = _sorted(pg.execute(sql).fetchall())
                assert len(actual) == len(expected), table
                assert actual == expected, f"marts.{table} differs between the engines"
            secondary = pg.execute(
                "select count(*) from marts.indicator_values where suppression = 'secondary'"
            ).fetchone()
    finally:
        duck.close()
    assert secondary is not None and secondary[0] > 0, "the scenario must need secondary cells"


def test_the_extract_for_the_pipeline_equals_the_duckdb_publication(built) -> None:
    duck_copy = built["duckdb"]["home"] / "published" / "warehouse.duckdb"
    pg_extract = built["postgres"]["home"] / "published" / "warehouse.duckdb"
    tables = _duckdb_tables(duck_copy)
    assert _duckdb_tables(pg_extract) == tables  # the same columns with the same types
    a = duckdb.connect(str(duck_copy), read_only=True)
    b = duckdb.connect(str(pg_extract), read_only=True)
    try:
        for table, columns in tables.items():
            sql = _select(table, [c for c, _ in columns])
            assert _sorted(b.execute(sql).fetchall()) == _sorted(a.execute(sql).fetchall()), table
        for check in (
            "select count(*) from reference.indicators",
            "select count(*) from intermediate.int_indicator_finality",
        ):
            assert b.execute(check).fetchone() == a.execute(check).fetchone(), check
    finally:
        a.close()
        b.close()
    assert sorted(p.name for p in (pg_extract.parent / "parquet").iterdir()) == sorted(
        f"{t}.parquet" for t in tables
    )


def test_the_report_reads_the_same_from_either_engine(built) -> None:
    """The monthly report and a scorecard, rendered from each engine's published tables."""
    from pipelines.reporting import monthly, scorecard
    from pipelines.reporting.data import Warehouse

    pages = {}
    for engine in ("duckdb", "postgres"):
        with Warehouse(built[engine]["home"] / "published" / "warehouse.duckdb") as wh:
            period = wh.latest_due_period()
            assert period is not None
            partner = wh.partners()[0]["partner_code"]
            pages[engine] = (
                period,
                # the chart renderer numbers its SVG gradients across a process's charts
                re.sub(r"gradient_\d+", "gradient", monthly.render(wh, period)),
                scorecard.render(wh, partner, period),
            )
    assert pages["postgres"] == pages["duckdb"]


def _reader_url(server) -> str:  # type: ignore[no-untyped-def]
    return f"postgresql://osservatorio_reader:{READER_PASSWORD}@{server.host}:{server.port}/warehouse_e2e"


def test_the_reader_role_reads_the_marts_and_writes_nothing(built, postgres_server) -> None:
    with psycopg.connect(_reader_url(postgres_server), autocommit=True) as con:
        count = con.execute("select count(*) from marts.indicator_values").fetchone()
        assert count is not None and count[0] > 0
        for statement in (
            "delete from marts.indicator_values",
            "update marts.indicator_values set value = 0",
            "insert into marts.dim_period (period) values ('2099-01')",
            "create table marts.mine (x integer)",
            "create table public.mine (x integer)",
            "drop table marts.indicator_values",
            "select count(*) from raw.interventi",
            "select count(*) from marts_build.indicator_values",
            "select count(*) from meta.builds",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(statement)


def test_an_analyst_reads_across_a_build_without_blocking_it(
    built, postgres_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month later, the next build publishes one more month while an analyst's repeatable-read
    transaction, opened before it, stays open until it ends: the build is not blocked, the
    analyst sees the previous publication whole throughout, and the next query the new one."""
    home = tmp_path / "copy"
    shutil.copytree(built["postgres"]["home"], home)
    point_at(home, monkeypatch)
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute('create database "warehouse_concurrent" template "warehouse_e2e"')
    settings = _settings(home, postgres_server.url("warehouse_concurrent"))
    reader = _reader_url(postgres_server).replace("warehouse_e2e", "warehouse_concurrent")
    count_sql = "select count(*), max(period) from marts.indicator_values"
    opened, done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def analyst() -> None:
        try:
            with psycopg.connect(reader) as con:
                con.execute("set transaction isolation level repeatable read")
                seen["before"] = con.execute(count_sql).fetchone()
                opened.set()
                while not done.wait(0.2):
                    con.execute("select pg_sleep(0.05)")
                seen["during"] = con.execute(count_sql).fetchone()
                con.rollback()
                seen["after"] = con.execute(count_sql).fetchone()
        except Exception as exc:  # reported by the test below
            seen["error"] = exc
            opened.set()

    thread = threading.Thread(target=analyst)
    thread.start()
    assert opened.wait(60)
    started = time.monotonic()
    try:
        plan = build_warehouse(settings, as_of=dt.date(2027, 4, 20))
    finally:
        done.set()
        thread.join(60)
    assert "error" not in seen, seen.get("error")
    assert not plan.full_refresh and plan.last_period == "2027-03"
    assert time.monotonic() - started < 600
    before, during, after = seen["before"], seen["during"], seen["after"]
    assert before == during, "the analyst saw the publication change inside a transaction"
    assert after[1] == "2027-03" and before[1] == "2027-02"  # type: ignore[index]
    assert after[0] > before[0]  # type: ignore[index]
