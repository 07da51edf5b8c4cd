"""The dbt project on real DuckDB: seeds, models, data tests and unit tests all pass, and a
broken indicator definition is caught by the unit tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.warehouse import raw
from pipelines.warehouse.dbt import PROJECT_DIR

DBT = str(Path(sys.executable).with_name("dbt"))
VARS = json.dumps(
    {"start_period": "2026-01", "end_period": "2030-12", "due_day": 10, "as_of": "2026-06-20"}
)


def _dbt(project: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "OSSERVATORIO_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run(
        [
            DBT,
            *args,
            "--profiles-dir",
            str(project),
            "--vars",
            VARS,
            "--target-path",
            str(warehouse.parent / "target"),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """A full `dbt build` (unit tests included) on a warehouse with empty raw tables."""
    folder = tmp_path_factory.mktemp("dbt")
    warehouse = folder / "warehouse.duckdb"
    raw.connect(warehouse).close()
    return warehouse, _dbt(PROJECT_DIR, warehouse, "build")


def test_build_with_unit_and_data_tests_passes(built) -> None:
    warehouse, result = built
    assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((warehouse.parent / "target" / "run_results.json").read_text())
    kinds = [r["unique_id"].split(".")[0] for r in results["results"]]
    assert kinds.count("unit_test") >= 28  # at least one per indicator
    assert kinds.count("test") >= 20
    assert all(r["status"] in ("success", "pass") for r in results["results"])


def test_breaking_an_indicator_definition_fails_a_unit_test(built, tmp_path: Path) -> None:
    warehouse, result = built
    assert result.returncode == 0
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (tmp_path / "seeds").symlink_to(PROJECT_DIR.parent / "seeds")
    macros = project / "macros" / "indicators.sql"
    text = macros.read_text()
    broken = text.replace("count(distinct k) as n", "count(k) as n")
    assert broken != text
    macros.write_text(broken)
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse, copy)
    out = _dbt(project, copy, "test", "--select", "test_type:unit")
    assert out.returncode != 0
    assert "actual differs from expected" in out.stdout
