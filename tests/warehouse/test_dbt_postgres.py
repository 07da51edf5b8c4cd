"""The dbt project on PostgreSQL (the `postgres` target of dbt_project/profiles.yml, which the
pipeline chooses from OSSERVATORIO_WAREHOUSE_URL): on the throw-away server, the raw tables
created with ingestion's own DDL, then `dbt build` of the whole project, its unit tests
included (the same SQL as on DuckDB: dbt_project/macros/portable.sql). The indicators on data
are compared with DuckDB's in test_postgres_warehouse.py."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from pipelines.settings import DatabaseUrl
from pipelines.warehouse.dbt import target_env
from pipelines.warehouse.raw import DDL

REPO = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))


@pytest.fixture(scope="module")
def built(postgres_server, tmp_path_factory: pytest.TempPathFactory):
    url = postgres_server.create_database("warehouse_dbt")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(DDL)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSERVATORIO_")}
    env.update(target_env(DatabaseUrl(url)))  # what the pipeline gives dbt
    target = tmp_path_factory.mktemp("dbt_postgres_target")
    outputs = []
    for command in (["build"],):
        done = subprocess.run(
            [DBT, *command, "--profiles-dir", ".", "--target-path", str(target)],
            cwd=REPO / "dbt_project",
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-4000:]
        outputs.append(done.stdout + done.stderr)
    results = json.loads((target / "run_results.json").read_text())["results"]
    # not the URL: it holds the password, and pytest prints fixtures
    return outputs, results


def test_the_seeds_are_loaded(built, postgres_server) -> None:
    with psycopg.connect(postgres_server.url("warehouse_dbt")) as con:
        for name in ("partners", "services", "municipalities", "targets"):
            with (REPO / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
                expected = sum(1 for _ in csv.DictReader(f))
            count = con.execute(f"select count(*) from reference.{name}").fetchone()
            assert count == (expected,), name


def test_the_staging_models_are_views_over_the_raw_tables(built, postgres_server) -> None:
    with psycopg.connect(postgres_server.url("warehouse_dbt")) as con:
        views = con.execute(
            "select table_name from information_schema.views where table_schema = 'staging'"
        ).fetchall()
    assert {v for (v,) in views} == {
        "stg_raw__expenses",
        "stg_raw__interventions",
        "stg_raw__period_approvals",
        "stg_raw__submissions",
    }
    outputs, _ = built
    assert "ERROR=0" in outputs[0] and "PASS=0" not in outputs[0]


def test_every_model_and_unit_test_passes_on_postgres(built) -> None:
    _, results = built
    models = {p.stem for p in (REPO / "dbt_project" / "models").rglob("*.sql")}
    unit_tests = sum(
        path.read_text(encoding="utf-8").count("\n  - name: ")
        for path in (REPO / "dbt_project" / "models").rglob("_unit_tests__*.yml")
    )
    by_type: dict[str, list[str]] = {}
    for r in results:
        by_type.setdefault(r["unique_id"].split(".")[0], []).append(r["status"])
    assert unit_tests >= 40 and len(by_type["unit_test"]) == unit_tests
    assert len(by_type["model"]) == len(models)
    assert set(by_type["unit_test"]) == {"pass"}
    assert set(by_type["model"]) == {"success"} and set(by_type["test"]) == {"pass"}
