"""Invoking dbt on the project: its arguments and environment, the manifest, and the dbt
executable as a subprocess (its output in `logs/dbt.log` of the workspace). The Dagster dbt
assets pass the same arguments through `DbtCliResource`."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.settings import DatabaseUrl, Settings
from pipelines.warehouse.errors import BuildError
from pipelines.workers import die_with_parent
from pipelines.workspace import Workspace

if TYPE_CHECKING:
    from pipelines.warehouse.plan import BuildPlan

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent / "dbt_project"


def dbt_vars(settings: Settings) -> dict[str, object]:
    """The calendar, passed as dbt vars; they rarely change, so dbt's partial parsing holds."""
    return {
        "start_period": settings.start_period,
        "end_period": settings.end_period,
        "due_day": settings.due_day,
    }


def dbt_env(as_of: dt.date | None = None, plan: BuildPlan | None = None) -> dict[str, str]:
    """What changes at every build goes through the environment (macros/as_of.sql,
    macros/incremental.sql): the build's date and the first changed month."""
    changed = plan.changed_from if plan is not None and not plan.full_refresh else ""
    return {
        "OSSERVATORIO_AS_OF": (as_of or dt.date.today()).isoformat(),
        "OSSERVATORIO_CHANGED_FROM": changed,
    }


# An incremental build happens only when the seeds are those of the last build (their content
# is in the plan's fingerprint): they are not loaded again, nor are the tests that read only
# seeds. `cautious` keeps every test that also reads a model (a relationship from a mart to a
# seed, say), which runs as before.
SEEDS_KEPT = ["--exclude", "resource_type:seed", "--indirect-selection", "cautious"]


def build_args(
    settings: Settings, select: str | None = None, plan: BuildPlan | None = None
) -> list[str]:
    # Unit tests pin the SQL and run in the test suite; the pipeline's builds run the models,
    # seeds and data tests (the asset checks) only.
    args = ["build", "--exclude-resource-type", "unit_test"]
    if plan is not None and plan.full_refresh:
        args.append("--full-refresh")
    elif plan is not None:
        args += SEEDS_KEPT
    args += ["--vars", json.dumps(dbt_vars(settings))]
    if select:
        args += ["--select", select]
    return args


def configure_env(settings: Settings) -> None:
    """dbt reads its warehouse from the environment (dbt_project/profiles.yml): the DuckDB
    file, or the PostgreSQL server of OSSERVATORIO_WAREHOUSE_URL (the `postgres` target, its
    password as DBT_ENV_SECRET_PG_PASSWORD, which dbt scrubs from its output); no usage stats
    ever leave."""
    os.environ["OSSERVATORIO_WAREHOUSE"] = str(Workspace(settings.home).warehouse)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["DBT_DO_NOT_TRACK"] = "1"
    os.environ.update(target_env(settings.warehouse_url))


def target_env(url: DatabaseUrl | None) -> dict[str, str]:
    """The `postgres` target's variables for a warehouse on PostgreSQL (`url`); the `local`
    target (DuckDB) without one."""
    if url is None:
        return {"OSSERVATORIO_DBT_TARGET": "local"}
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url.reveal())
    # A sort or hash of the build spills to disk beyond work_mem (PostgreSQL's default is 4 MB:
    # far too small for the window functions over the history); like OSSERVATORIO_DUCKDB_MEMORY.
    work_mem = os.environ.get("OSSERVATORIO_PG_WORK_MEM", "256MB")
    return {
        "PGOPTIONS": f"-c work_mem={work_mem}",
        "OSSERVATORIO_DBT_TARGET": "postgres",
        "OSSERVATORIO_DBT_PG_HOST": parts.hostname or "",
        "OSSERVATORIO_DBT_PG_PORT": str(parts.port or 5432),
        "OSSERVATORIO_DBT_PG_USER": unquote(parts.username or ""),
        "OSSERVATORIO_DBT_PG_DB": unquote(parts.path.lstrip("/")),
        "DBT_ENV_SECRET_PG_PASSWORD": url.password or "",
    }


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _sources_mtime() -> float:
    roots = [
        PROJECT_DIR / "models",
        PROJECT_DIR / "macros",
        PROJECT_DIR / "tests",
        PROJECT_DIR.parent / "seeds",
    ]
    files = [PROJECT_DIR / "dbt_project.yml"] + [
        p for r in roots for p in r.rglob("*") if p.is_file()
    ]
    return max(p.stat().st_mtime for p in files)


def ensure_manifest() -> Path:
    """`dbt parse` (opens no database) when the manifest is missing or older than the project."""
    manifest = PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists() or manifest.stat().st_mtime < _sources_mtime():
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        env.setdefault("OSSERVATORIO_WAREHOUSE", str(PROJECT_DIR / "target" / "parse.duckdb"))
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(PROJECT_DIR)],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
        )
    return manifest


def run_dbt(settings: Settings, args: list[str], env: dict[str, str] | None = None) -> None:
    """The dbt executable on the project, its output in logs/dbt.log of the workspace."""
    configure_env(settings)
    ws = Workspace(settings.home).ensure()
    with open(ws.logs / "dbt.log", "w", encoding="utf-8") as out:
        code = subprocess.run(
            [dbt_executable(), *args, "--profiles-dir", str(PROJECT_DIR)],
            cwd=PROJECT_DIR,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
            check=False,
        ).returncode
    if code != 0:
        failed = _failed_nodes(PROJECT_DIR / "target" / "run_results.json")
        raise BuildError(
            f"the warehouse build failed ({', '.join(failed) or f'dbt exit {code}'}); "
            f"see {ws.logs / 'dbt.log'}"
        )


def _failed_nodes(run_results: Path) -> list[str]:
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [
        r["unique_id"].split(".")[-1]
        for r in results
        if r.get("status") in ("error", "fail", "runtime error")
    ][:5]
