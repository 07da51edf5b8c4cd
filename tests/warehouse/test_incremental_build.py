"""Incremental builds: a new month, a late correction of an old one and the passing of time
recompute only the changed months, and the warehouse equals a full rebuild of the same data,
across the turn of a year (the year window starts again in January), on DuckDB and on
PostgreSQL (OSSERVATORIO_WAREHOUSE_URL, a throw-away server: tests/postgres.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import cli
from pipelines import settings as settings_mod
from pipelines.ingest import ingest
from pipelines.settings import DatabaseUrl
from pipelines.synthetic.generator import GeneratorConfig, generate
from pipelines.warehouse.build import build_warehouse

CONFIG = GeneratorConfig(
    seed=31,
    partners=8,
    start_period="2026-01",
    months=4,
    rows_per_file=25,
    correction_rate=0.3,
    late_rate=0.3,
    missing_rate=0.0,
)

# A partnership that starts in November, so that the incremental builds cross a January.
ACROSS_YEARS = GeneratorConfig(
    seed=31,
    partners=8,
    start_period="2025-11",
    months=4,
    rows_per_file=25,
    correction_rate=0.3,
    late_rate=0.3,
    missing_rate=0.0,
)

# Each table with the columns that order it completely.
COMPARED = {
    "marts.indicator_values": 'indicator_code, period, "window", scope, scope_code',
    "marts.indicator_breakdowns": 'indicator_code, period, "window", scope, scope_code, '
    "dimension, dimension_value",
    "marts.fct_interventions": "submission_id, row_number",
    "intermediate.int_interventions_scoped": "scope, scope_code, submission_id, row_number",
}


def _deliver(generated: Path, inbox: Path, manifest: dict, until: dt.datetime) -> list[str]:
    """Copy the files that have arrived by `until`; return the periods they report on."""
    periods = []
    for f in manifest["files"]:
        if dt.datetime.fromisoformat(f["arrival"]) < until and not (inbox / f["path"]).exists():
            (inbox / f["path"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(generated / f["path"], inbox / f["path"])
            periods.append(f["period"])
    return periods


def _rows(settings: settings_mod.Settings, table: str, order: str) -> list[tuple]:
    """The warehouse's rows (on PostgreSQL, `marts` is what the publication wrote there)."""
    from pipelines.warehouse import engine

    con = engine.connect(settings)
    try:
        return con.execute(f"select * from {table} order by {order}").fetchall()
    finally:
        con.close()


_DATABASES = itertools.count()


def _full_rebuild(settings: settings_mod.Settings, server, as_of: dt.date):  # type: ignore[no-untyped-def]
    """The same raw data in another workspace (and database), built from scratch."""
    import psycopg

    home = settings.home
    other = home.parent / f"{home.name}-full"
    shutil.rmtree(other, ignore_errors=True)
    other.mkdir()
    rebuilt = settings_mod.load(other)
    if settings.warehouse_url is None:
        shutil.copy2(home / "warehouse.duckdb", other / "warehouse.duckdb")
        con = duckdb.connect(str(other / "warehouse.duckdb"))
        con.execute("drop schema meta cascade")
        con.close()
    else:
        name = f"incremental_full_{next(_DATABASES)}"
        source = settings.warehouse_url.reveal().rsplit("/", 1)[1]
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute(f'create database "{name}" template "{source}"')
        with psycopg.connect(server.url(name), autocommit=True) as con:
            con.execute("drop schema meta cascade")
        rebuilt = dataclasses.replace(rebuilt, warehouse_url=DatabaseUrl(server.url(name)))
    plan = build_warehouse(rebuilt, as_of=as_of)
    assert plan.full_refresh
    return rebuilt


def _generate(tmp_path_factory: pytest.TempPathFactory, config: GeneratorConfig):
    root = tmp_path_factory.mktemp("generated")
    manifest = generate(root / "inbox", config, manifest_path=root / "manifest.json")
    return root / "inbox", manifest


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    return _generate(tmp_path_factory, CONFIG)


@pytest.fixture(scope="module")
def generated_across_years(tmp_path_factory: pytest.TempPathFactory):
    return _generate(tmp_path_factory, ACROSS_YEARS)


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_incremental_builds_equal_a_full_rebuild(
    home: Path,
    generated_across_years,
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    request: pytest.FixtureRequest,
) -> None:
    source, manifest = generated_across_years
    monkeypatch.setenv("OSSERVATORIO_START", ACROSS_YEARS.start_period)
    settings = settings_mod.load(home)
    server = None
    if engine == "postgres":
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"incremental_{next(_DATABASES)}")
        settings = dataclasses.replace(settings, warehouse_url=DatabaseUrl(url))
    rome = dt.timezone(dt.timedelta(hours=1))
    # 1. Two months delivered (November and December): the first build is a full refresh.
    _deliver(source, home / "inbox", manifest, dt.datetime(2026, 1, 12, tzinfo=rome))
    ingest(settings)
    first = build_warehouse(settings, as_of=dt.date(2026, 1, 20))
    assert first.full_refresh

    # 2. The next months (January, February) arrive, with late files and corrections of
    # December or November: the year windows of the new year start again.
    periods = _deliver(source, home / "inbox", manifest, dt.datetime(2026, 3, 25, tzinfo=rome))
    assert min(periods) < "2026-01", "the scenario must correct a month already built"
    ingest(settings)
    second = build_warehouse(settings, as_of=dt.date(2026, 3, 28))
    assert not second.full_refresh
    assert second.changed_from == min(periods)

    # 3. Nothing new, a month later: nothing recomputed but the new month of the calendar.
    third = build_warehouse(settings, as_of=dt.date(2026, 4, 28))
    assert not third.full_refresh and third.changed_from == "2026-03"

    full = _full_rebuild(settings, server, dt.date(2026, 4, 28))
    for table, order in COMPARED.items():
        kept, rebuilt = _rows(settings, table, order), _rows(full, table, order)
        assert len(kept) > 0
        assert kept == rebuilt, f"{table} differs from a full rebuild"


def test_a_changed_calendar_or_the_operator_forces_a_full_refresh(
    home: Path,
    settings,
    generated,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, manifest = generated
    _deliver(source, home / "inbox", manifest, dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    ingest(settings)
    assert build_warehouse(settings, as_of=dt.date(2026, 2, 20)).full_refresh
    # The same day, nothing new: nothing to build, no dbt, no publication, no ledger entry.
    again = build_warehouse(settings, as_of=dt.date(2026, 2, 20))
    assert again.up_to_date and not again.full_refresh
    # Another calendar end (as a change of the project would) invalidates the kept months.
    monkeypatch.setenv("OSSERVATORIO_END", "2029-12")
    changed = settings_mod.load(home)
    assert build_warehouse(changed, as_of=dt.date(2026, 2, 20)).full_refresh
    assert os.path.exists(home / "published" / "warehouse.duckdb")
    # The operator's `osservatorio build --full-refresh`, recorded in the ledger of builds.
    assert cli.main(["build", "--full-refresh"]) == 0
    assert "rebuilt in full" in capsys.readouterr().out
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        kinds = [
            r[0]
            for r in con.execute(
                "select full_refresh from meta.builds order by built_at"
            ).fetchall()
        ]
    finally:
        con.close()
    assert kinds == [True, True, True]
