"""The dbt build of the warehouse: arguments, environment, and the published copy.

Small pure functions decide what dbt is asked; `run_build` is what `osservatorio build`
calls, and the Dagster dbt assets pass the same arguments through `DbtCliResource`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from pipelines.settings import Settings
from pipelines.warehouse.lock import writer_lock
from pipelines.workspace import Workspace

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent / "dbt_project"
log = logging.getLogger(__name__)


def dbt_vars(settings: Settings, as_of: dt.date | None = None) -> dict[str, object]:
    return {
        "start_period": settings.start_period,
        "end_period": settings.end_period,
        "due_day": settings.due_day,
        "as_of": (as_of or dt.date.today()).isoformat(),
    }


def build_args(settings: Settings, as_of: dt.date | None = None,
               select: str | None = None) -> list[str]:
    # Unit tests pin the SQL and run in the test suite; the pipeline's builds run the models,
    # seeds and data tests (the asset checks) only.
    args = ["build", "--exclude-resource-type", "unit_test",
            "--vars", json.dumps(dbt_vars(settings, as_of))]
    if select:
        args += ["--select", select]
    return args


def configure_env(settings: Settings) -> None:
    """dbt reads the warehouse path from the environment; no usage stats ever leave."""
    os.environ["OSSERVATORIO_WAREHOUSE"] = str(Workspace(settings.home).warehouse)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["DBT_DO_NOT_TRACK"] = "1"


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _sources_mtime() -> float:
    roots = [PROJECT_DIR / "models", PROJECT_DIR / "macros", PROJECT_DIR / "tests",
             PROJECT_DIR.parent / "seeds"]
    files = [PROJECT_DIR / "dbt_project.yml"] + [p for r in roots for p in r.rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files)


def ensure_manifest() -> Path:
    """`dbt parse` (opens no database) when the manifest is missing or older than the project."""
    manifest = PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists() or manifest.stat().st_mtime < _sources_mtime():
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        env.setdefault("OSSERVATORIO_WAREHOUSE", str(PROJECT_DIR / "target" / "parse.duckdb"))
        subprocess.run([dbt_executable(), "parse", "--quiet", "--profiles-dir", str(PROJECT_DIR)],
                       cwd=PROJECT_DIR, env=env, check=True)
    return manifest


def publish(settings: Settings) -> Path:
    """Copy the warehouse to published/warehouse.duckdb atomically, for analysts.

    Readers of the published copy never block the pipeline's single writer, and never see
    a half-built state: the copy is made from a checkpointed file and swapped in whole.
    """
    import duckdb

    ws = Workspace(settings.home).ensure()
    target = ws.published / "warehouse.duckdb"
    tmp = ws.published / ".warehouse.part.duckdb"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(ws.warehouse))
    try:
        con.execute("checkpoint")
        live = con.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        con.execute(f"attach '{tmp}' as published_copy")
        con.execute(f'copy from database "{live}" to published_copy')
        con.execute("detach published_copy")
    finally:
        con.close()
    os.replace(tmp, target)
    _export_parquet(target, ws.published / "parquet")
    log.info("published a read-only copy of the warehouse at %s", target)
    return target


def _export_parquet(database: Path, folder: Path) -> None:
    """One Parquet file per mart, swapped in as a folder (BI tools read these)."""
    import shutil

    import duckdb

    staging = folder.with_name(".parquet.part")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]
        for table in tables:
            con.execute(f"copy marts.\"{table}\" to '{staging / (table + '.parquet')}' "
                        "(format parquet)")
    finally:
        con.close()
    old = folder.with_name(".parquet.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def run_build(settings: Settings, as_of: dt.date | None = None) -> None:
    """`osservatorio build`: the same dbt build the Dagster assets run, then publish."""
    from dagster_dbt import DbtCliResource

    configure_env(settings)
    ensure_manifest()
    dbt = DbtCliResource(project_dir=str(PROJECT_DIR), profiles_dir=str(PROJECT_DIR),
                         dbt_executable=dbt_executable())
    with writer_lock(settings.home):
        dbt.cli(build_args(settings, as_of),
                manifest=PROJECT_DIR / "target" / "manifest.json").wait()
        publish(settings)
