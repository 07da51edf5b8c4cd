"""An ingestion run in Dagster that rejects a file says so: the file (partner, period, name,
first problems) in the run's tags and the assets' metadata, and a warning check naming it;
the inbox sensor's tags count the files actually new."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from tests.helpers import at, row, write_xlsx


@pytest.fixture(scope="module")
def run(module_home: Path):
    from pipelines.defs.ingestion.assets import raw_tables
    from pipelines.defs.resources import OsservatorioSettings

    inbox = module_home / "inbox"
    write_xlsx(
        inbox / "P01" / "2026-03" / "marzo.xlsx", [row(i) for i in range(4)], mtime=at("2026-04-05")
    )
    write_xlsx(
        inbox / "P02" / "2026-03" / "marzo_rotto.xlsx",
        [row(10), row(11, sesso="X")],
        mtime=at("2026-04-06"),
    )
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [raw_tables], instance=instance, resources={"osservatorio": OsservatorioSettings()}
    )
    return result, instance


def test_the_run_names_the_rejected_file_in_metadata_and_tags(run) -> None:
    result, instance = run
    assert result.success
    (materialization, *_) = [
        m
        for m in result.asset_materializations_for_node("raw_tables")
        if m.asset_key == dg.AssetKey(["raw", "submissions"])
    ]
    files = materialization.metadata["rejected_or_held_files"].value
    assert files == [
        {
            "partner": "P02",
            "period": "2026-03",
            "file": "marzo_rotto.xlsx",
            "status": "rejected",
            "first_problems": ["interventi row 3 'Sesso': sesso_value"],
        }
    ]
    tags = instance.get_run_by_id(result.run_id).tags
    assert tags["ingest/rejected"] == "1" and tags["ingest/new_files"] == "2"
    assert tags["ingest/problem_files"] == "P02/2026-03/marzo_rotto.xlsx"


def test_a_warning_check_names_the_rejected_file(run) -> None:
    result, _ = run
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "files_accepted" and not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "marzo_rotto.xlsx" in evaluation.description
    assert "P02 2026-03 marzo_rotto.xlsx (rejected)" in evaluation.description


def test_a_run_with_every_file_accepted_passes_the_check(module_home: Path, run) -> None:
    from pipelines.defs.ingestion.assets import raw_tables
    from pipelines.defs.resources import OsservatorioSettings

    write_xlsx(
        module_home / "inbox" / "P03" / "2026-03" / "marzo.xlsx", [row(20)], mtime=at("2026-04-07")
    )
    result = dg.materialize(
        [raw_tables],
        instance=dg.DagsterInstance.ephemeral(),
        resources={"osservatorio": OsservatorioSettings()},
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed


def test_sensor_tags_count_only_files_actually_new(module_home: Path, module_settings, run) -> None:
    from pipelines.definitions import defs
    from pipelines.warehouse.build import build_warehouse

    build_warehouse(module_settings)  # the published copy now knows the three files
    d = defs()
    sensor = d.resolve_sensor_def("inbox_sensor")
    fresh_cursor = sensor.evaluate_tick(dg.build_sensor_context(cursor=None, definitions=d))
    assert not fresh_cursor.run_requests  # a forgotten cursor does not re-request known files
    write_xlsx(
        module_home / "inbox" / "P04" / "2026-03" / "marzo.xlsx", [row(30)], mtime=at("2026-04-08")
    )
    tick = sensor.evaluate_tick(dg.build_sensor_context(cursor=None, definitions=d))
    (request,) = tick.run_requests
    assert request.tags["new_files"] == "1" and request.tags["inbox_files"] == "4"
