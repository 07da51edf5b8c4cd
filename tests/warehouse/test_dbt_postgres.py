"""The dbt project on PostgreSQL (the `postgres` target of dbt_project/profiles.yml, chosen by
OSSERVATORIO_DBT_TARGET): the raw tables created with ingestion's own DDL on the throw-away
server, the reference seeds loaded and the staging models built with their tests."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from pipelines.warehouse.raw import DDL

REPO = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))


@pytest.fixture(scope="module")
def built(postgres_server, tmp_path_factory: pytest.TempPathFactory):
    url = postgres_server.create_database("warehouse_dbt")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(DDL)
    parts = urlsplit(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSERVATORIO_")}
    env.update(
        OSSERVATORIO_DBT_TARGET="postgres",
        OSSERVATORIO_DBT_PG_HOST=parts.hostname or "",
        OSSERVATORIO_DBT_PG_PORT=str(parts.port),
        OSSERVATORIO_DBT_PG_USER=parts.username or "",
        OSSERVATORIO_DBT_PG_PASSWORD=parts.password or "",
        OSSERVATORIO_DBT_PG_DB="warehouse_dbt",
    )
    target = tmp_path_factory.mktemp("dbt_postgres_target")
    outputs = []
    for command in (["seed"], ["build", "--select", "staging"]):
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
    return outputs  # not the URL: it holds the password, and pytest prints fixtures


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
    assert "ERROR=0" in built[1] and "PASS=0" not in built[1]


def test_the_password_is_not_in_dbt_output(built, postgres_server) -> None:
    assert all(postgres_server.password not in out for out in built)
