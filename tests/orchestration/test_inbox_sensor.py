"""The inbox sensor ingests a partner's drop of a few small files itself: the feedback is in
the outbox when its tick ends, the raw tables' materialisations and the files check are
reported with the tick, and one run of `update_warehouse` builds (also files an earlier
ingestion recorded without a build). A busy warehouse, a backlog, a large drop or a failure
goes to an `ingest_and_build` run, and nothing is ingested by the tick."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.ingestion import sensors
from pipelines.warehouse.lock import writer_lock
from tests.helpers import at, row, write_xlsx


@pytest.fixture
def defs(home: Path):
    from pipelines.definitions import defs as load

    return load()


def _tick(defs: dg.Definitions, cursor: str | None = None):
    sensor = defs.resolve_sensor_def("inbox_sensor")
    return sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, definitions=defs))


def _submissions(home: Path) -> list[tuple]:
    if not (home / "warehouse.duckdb").exists():
        return []
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            "select partner_code, file_name, status from raw.submissions order by all"
        ).fetchall()
    finally:
        con.close()


def test_a_small_drop_is_answered_within_the_tick(home: Path, defs) -> None:
    write_xlsx(
        home / "inbox" / "P01" / "2026-03" / "marzo.xlsx",
        [row(i) for i in range(3)],
        mtime=at("2026-04-05"),
    )
    write_xlsx(
        home / "inbox" / "P02" / "2026-03" / "marzo_rotto.xlsx",
        [row(10), row(11, sesso="X")],
        mtime=at("2026-04-06"),
    )
    tick = _tick(defs)
    # the feedback of both files exists when the tick returns
    assert list((home / "outbox" / "P01" / "2026-03").glob("esito_*.html"))
    assert list((home / "outbox" / "P02" / "2026-03").glob("esito_*_segnalazioni.xlsx"))
    assert _submissions(home) == [
        ("P01", "marzo.xlsx", "accepted"),
        ("P02", "marzo_rotto.xlsx", "rejected"),
    ]
    (request,) = tick.run_requests
    assert request.job_name == "update_warehouse"
    assert request.tags["new_files"] == "2" and request.tags["ingest/rejected"] == "1"
    materialized = {
        tuple(e.asset_key.path) for e in tick.asset_events if isinstance(e, dg.AssetMaterialization)
    }
    assert materialized == {
        ("raw", t) for t in ("submissions", "submission_issues", "interventi", "spese")
    }
    (check,) = [e for e in tick.asset_events if isinstance(e, dg.AssetCheckEvaluation)]
    assert check.check_name == "files_accepted" and not check.passed
    assert "marzo_rotto.xlsx" in (check.description or "")
    # the same files never trigger again
    again = _tick(defs, tick.cursor)
    assert not again.run_requests and not again.asset_events


def test_a_busy_warehouse_sends_the_drop_to_a_run(home: Path, defs) -> None:
    write_xlsx(home / "inbox" / "P01" / "2026-03" / "marzo.xlsx", [row(1)], mtime=at("2026-04-05"))
    with writer_lock(home):  # a build holds the warehouse
        tick = _tick(defs)
    (request,) = tick.run_requests
    assert request.job_name == "ingest_and_build"
    assert not tick.asset_events
    assert _submissions(home) == []
    assert not (home / "outbox").exists() or not any((home / "outbox").rglob("*.html"))


def test_a_backlog_goes_to_one_run(home: Path, defs) -> None:
    for i in range(sensors.INLINE_FILES + 1):
        write_xlsx(
            home / "inbox" / f"P{i + 1:02d}" / "2026-03" / "marzo.xlsx",
            [row(i)],
            mtime=at("2026-04-05"),
        )
    tick = _tick(defs)
    (request,) = tick.run_requests
    assert request.job_name == "ingest_and_build"
    assert request.tags["new_files"] == str(sensors.INLINE_FILES + 1)
    assert _submissions(home) == []


def test_a_large_drop_goes_to_a_run(home: Path, defs) -> None:
    big = home / "inbox" / "P01" / "2026-03" / "marzo.csv"
    big.parent.mkdir(parents=True)
    big.write_bytes(b"x" * (sensors.INLINE_BYTES + 1))
    tick = _tick(defs)
    (request,) = tick.run_requests
    assert request.job_name == "ingest_and_build"
    assert _submissions(home) == []


def test_files_recorded_but_not_built_are_built(home: Path, defs) -> None:
    from pipelines import settings as settings_mod
    from pipelines.ingest import ingest

    write_xlsx(home / "inbox" / "P01" / "2026-03" / "marzo.xlsx", [row(1)], mtime=at("2026-04-05"))
    ingest(settings_mod.load(home))  # recorded; no build has published it
    tick = _tick(defs)
    (request,) = tick.run_requests
    assert request.job_name == "update_warehouse"
    assert not [e for e in tick.asset_events if isinstance(e, dg.AssetMaterialization)]
    assert _submissions(home) == [("P01", "marzo.xlsx", "accepted")]  # recorded once


def test_a_failed_ingestion_in_the_sensor_goes_to_a_run(
    home: Path, defs, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_xlsx(home / "inbox" / "P01" / "2026-03" / "marzo.xlsx", [row(1)], mtime=at("2026-04-05"))
    # no pseudonymisation key: ingestion refuses to run, and the run will say so where the
    # steward sees it
    monkeypatch.delenv("OSSERVATORIO_SECRET_KEY")
    tick = _tick(defs)
    (request,) = tick.run_requests
    assert request.job_name == "ingest_and_build"
    assert _submissions(home) == []
