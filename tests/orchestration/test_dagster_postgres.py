"""Dagster on PostgreSQL (dagster_home/postgres/dagster.yaml): the main job's run, its events
and its pool claims are stored in the server, and a new instance made from the same file (a
restart of the daemon or the UI) finds the run in its history. The queued runs and the
single warehouse writer are configured as in the file-based instance. The warehouse is on
the same server (OSSERVATORIO_WAREHOUSE_URL): the job's ingestion, build and publication
write there, through the same functions as the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import yaml

from pipelines.synthetic.generator import GeneratorConfig, generate

REPO = Path(__file__).resolve().parents[2]
POSTGRES_YAML = REPO / "dagster_home" / "postgres" / "dagster.yaml"
CONFIG = GeneratorConfig(seed=5, partners=2, start_period="2026-01", months=2, rows_per_file=12)


@pytest.fixture(scope="module")
def dagster_home(module_home: Path, postgres_server, tmp_path_factory: pytest.TempPathFactory):
    url = postgres_server.create_database("dagster_instance")
    dagster_url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
    warehouse_url = postgres_server.create_database("dagster_warehouse")
    home = tmp_path_factory.mktemp("dagster_home_postgres")
    shutil.copy(POSTGRES_YAML, home / "dagster.yaml")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OSSERVATORIO_DAGSTER_PG_URL", dagster_url)
        mp.setenv("DAGSTER_HOME", str(home))
        mp.setenv("OSSERVATORIO_WAREHOUSE_URL", warehouse_url)
        yield home  # not the URL: it holds the password, and pytest prints fixtures


@pytest.fixture(scope="module")
def run_id(module_home: Path, dagster_home) -> str:
    home = dagster_home
    generate(module_home / "inbox", CONFIG)
    from pipelines.definitions import defs

    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = defs().resolve_job_def("ingest_and_build").execute_in_process(instance=instance)
        assert result.success
        return result.run_id


def test_the_instance_stores_everything_in_postgresql(dagster_home) -> None:
    home = dagster_home
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storages = (instance.run_storage, instance.event_log_storage, instance.schedule_storage)
        assert [type(s).__name__ for s in storages] == [
            "PostgresRunStorage",
            "PostgresEventLogStorage",
            "PostgresScheduleStorage",
        ]


def test_a_restarted_instance_finds_the_run_and_its_events(
    dagster_home, run_id: str, postgres_server
) -> None:
    home = dagster_home
    with dg.DagsterInstance.from_config(str(home)) as restarted:
        record = restarted.get_run_record_by_id(run_id)
        assert record is not None
        assert record.dagster_run.job_name == "ingest_and_build"
        assert record.dagster_run.status == dg.DagsterRunStatus.SUCCESS
        steps = {
            e.step_key for e in restarted.all_logs(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
        }
        assert {"raw_tables", "warehouse_models", "published__warehouse"} <= steps
    # In the server itself, not in a file beside the yaml.
    with psycopg.connect(postgres_server.url("dagster_instance")) as con:
        assert con.execute("select count(*) from runs where run_id = %s", (run_id,)).fetchone() == (
            1,
        )
    assert not list(home.rglob("*.db"))


def test_writers_stay_one_at_a_time_and_runs_queued_as_in_the_file_instance(
    dagster_home, run_id: str
) -> None:
    files = yaml.safe_load((REPO / "dagster_home" / "dagster.yaml").read_text())
    postgres = yaml.safe_load(POSTGRES_YAML.read_text())
    assert {k: v for k, v in postgres.items() if k != "storage"} == files
    home = dagster_home
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 2
        assert instance.event_log_storage.get_concurrency_info("warehouse").slot_count == 1


def test_the_job_wrote_the_warehouse_on_the_same_server(
    module_home: Path, run_id: str, postgres_server
) -> None:
    with psycopg.connect(postgres_server.url("dagster_warehouse")) as con:
        files = con.execute("select count(*) from raw.submissions").fetchone()
        values = con.execute(
            "select count(*), count(*) filter (where is_suppressed) from marts.indicator_values"
        ).fetchone()
        audits = con.execute("select count(*) from meta.disclosure_audits").fetchone()
    assert files is not None and files[0] == sum(
        1 for p in (module_home / "inbox").rglob("*") if p.is_file()
    )
    assert values is not None and values[0] > 0 and values[1] > 0
    assert audits == (1,)
    assert not (module_home / "warehouse.duckdb").exists()
    assert (module_home / "published" / "warehouse.duckdb").is_file()  # the readers' extract
