"""The Dagster code location loads, with the assets, checks, sensors and schedules the UI shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dg_check_defs_passes() -> None:
    dg = Path(sys.executable).with_name("dg")
    out = subprocess.run(
        [str(dg), "check", "defs"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All definitions loaded successfully" in out.stdout + out.stderr


def test_definitions_wire_every_stage() -> None:
    import dagster as dg

    from pipelines.definitions import defs

    d = defs()
    keys = {k.to_user_string() for k in d.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "raw/submissions",
        "raw/interventi",
        "marts/indicator_values",
        "marts/fct_interventions",
        "marts/submissions",
    } <= keys
    assert d.resolve_job_def("ingest_and_build") is not None
    sensor = d.resolve_sensor_def("inbox_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    schedule = d.resolve_schedule_def("monthly_official_build")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    # Every asset that writes the warehouse is in the one pool.
    graph = d.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert node.pools == {"warehouse"}, key


def test_the_instance_keeps_telemetry_and_the_first_visit_modal_off(tmp_path: Path) -> None:
    import shutil

    import dagster as dg

    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert instance.telemetry_enabled is False
        assert instance.nux_enabled is False
    finally:
        instance.dispose()
