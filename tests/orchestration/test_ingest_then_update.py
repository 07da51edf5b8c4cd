"""A partner's drop in the deployment: the inbox sensor's run ingests only (the feedback is
written in it, and nothing of the warehouse's build is planned), and its success requests
the warehouse update in a run of its own, which builds and publishes."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.synthetic.generator import GeneratorConfig, generate

CONFIG = GeneratorConfig(seed=7, partners=2, start_period="2026-01", months=1, rows_per_file=15)


@pytest.fixture(scope="module")
def runs(module_home: Path):
    generate(module_home / "inbox", CONFIG)
    from pipelines.definitions import defs

    d = defs()
    instance = dg.DagsterInstance.ephemeral()
    inbox = d.resolve_sensor_def("inbox_sensor")
    tick = inbox.evaluate_tick(dg.build_sensor_context(cursor=None, definitions=d))
    ingest = d.resolve_job_def(inbox.job_name).execute_in_process(instance=instance)
    published_after_ingest = (module_home / "published" / "warehouse.duckdb").exists()
    (success,) = instance.get_records_for_run(
        ingest.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS
    ).records
    after = d.resolve_sensor_def("build_after_ingest")
    request = after(
        dg.build_run_status_sensor_context(
            sensor_name="build_after_ingest",
            dagster_event=success.event_log_entry.dagster_event,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(ingest.run_id),
        )
    )
    update = d.resolve_job_def(after.job_name).execute_in_process(instance=instance)
    return {
        "tick": tick,
        "inbox": inbox,
        "ingest": ingest,
        "published_after_ingest": published_after_ingest,
        "after": after,
        "request": request,
        "update": update,
        "instance": instance,
    }


def _steps(instance, run_id: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        e.step_key
        for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
        if e.step_key
    }


def _planned(instance, run_id: str) -> int:  # type: ignore[no-untyped-def]
    return len(
        instance.get_records_for_run(
            run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
        ).records
    )


def test_the_inbox_sensors_run_ingests_and_answers_without_building(
    module_home: Path, runs
) -> None:
    assert runs["inbox"].job_name == "ingest"
    assert len(runs["tick"].run_requests) == 1
    assert runs["ingest"].success
    assert _steps(runs["instance"], runs["ingest"].run_id) == {"raw_tables"}
    # the raw tables only: no dbt model is planned in the partner's run
    assert _planned(runs["instance"], runs["ingest"].run_id) == 4
    assert len(list((module_home / "outbox").rglob("esito_*.json"))) >= CONFIG.partners
    assert not runs["published_after_ingest"]


def test_its_success_requests_the_warehouse_update_once_per_run(runs) -> None:
    request = runs["request"]
    assert isinstance(request, dg.RunRequest)
    assert runs["after"].job_name == "update_warehouse"
    assert request.run_key == f"after-{runs['ingest'].run_id}"
    assert runs["after"].default_status == dg.DefaultSensorStatus.RUNNING


def test_the_update_builds_and_publishes_without_the_months_reports(
    module_home: Path, runs
) -> None:
    update = runs["update"]
    assert update.success
    steps = _steps(runs["instance"], update.run_id)
    assert {"warehouse_models", "published__warehouse"} <= steps
    assert "raw_tables" not in steps
    assert not any("report" in s for s in steps)
    con = duckdb.connect(str(module_home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        (rows,) = con.execute("select count(*) from marts.indicator_values").fetchall()[0]
    finally:
        con.close()
    assert rows > 0
