"""The dbt build of the warehouse: arguments, environment, and the published copy.

Small pure functions decide what dbt is asked; `run_build` is what `osservatorio build`
calls, and the Dagster dbt assets pass the same arguments through `DbtCliResource`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.settings import Settings

if TYPE_CHECKING:
    from pipelines.disclosure.protect import Protection
from pipelines.warehouse.lock import writer_lock
from pipelines.workspace import Workspace

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent / "dbt_project"
log = logging.getLogger(__name__)


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
    return {"OSSERVATORIO_AS_OF": (as_of or dt.date.today()).isoformat(),
            "OSSERVATORIO_CHANGED_FROM": changed}


def build_args(settings: Settings, select: str | None = None,
               plan: BuildPlan | None = None) -> list[str]:
    # Unit tests pin the SQL and run in the test suite; the pipeline's builds run the models,
    # seeds and data tests (the asset checks) only.
    args = ["build", "--exclude-resource-type", "unit_test"]
    if plan is not None and plan.full_refresh:
        args.append("--full-refresh")
    args += ["--vars", json.dumps(dbt_vars(settings))]
    if select:
        args += ["--select", select]
    return args


# Incremental builds --------------------------------------------------------------------------
# A build recomputes the months from the first one whose data changed since the last
# successful build (dbt_project/macros/incremental.sql); everything else is kept. The ledger
# of builds is meta.builds, with the submissions each one included in meta.built_submissions.

BUILD_LOG_DDL = """
create schema if not exists meta;
create table if not exists meta.builds (
    built_at timestamptz not null,
    full_refresh boolean not null,
    changed_from varchar,
    last_period varchar,
    fingerprint varchar not null,
    submissions integer not null
);
create table if not exists meta.built_submissions (submission_id varchar primary key);
"""


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    changed_from: str  # first month recomputed (with a full refresh: the first month)
    last_period: str  # the last reporting month that has ended at build time
    fingerprint: str  # of the dbt project, the seeds and the calendar
    submission_ids: tuple[str, ...]  # every submission the build includes
    reason: str


def _next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def last_period(settings: Settings, as_of: dt.date | None = None) -> str:
    """The last month that has ended at `as_of`, capped at the calendar's end (int_periods)."""
    day = as_of or dt.date.today()
    previous = (day.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    return min(previous, settings.end_period)


def fingerprint(settings: Settings) -> str:
    """What, when it changes, invalidates every kept month: the SQL, the seeds, the calendar."""
    import hashlib

    digest = hashlib.sha256(json.dumps([settings.start_period, settings.end_period,
                                        settings.due_day]).encode())
    roots = [PROJECT_DIR / "models", PROJECT_DIR / "macros", PROJECT_DIR.parent / "seeds"]
    sources = sorted(p for r in roots for p in r.rglob("*")
                     if p.is_file() and p.suffix in (".sql", ".yml", ".csv"))
    files = [PROJECT_DIR / "dbt_project.yml", *sources]
    for f in files:
        digest.update(str(f.relative_to(PROJECT_DIR.parent)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def plan_build(settings: Settings, as_of: dt.date | None = None,
               full_refresh: bool = False) -> BuildPlan:
    """Full refresh or the months to recompute; call it holding the writer lock."""
    import duckdb

    from pipelines.warehouse import raw

    ws = Workspace(settings.home).ensure()
    last, print_ = last_period(settings, as_of), fingerprint(settings)
    con = raw.connect(ws.warehouse)
    try:
        con.execute(BUILD_LOG_DDL)
        ids = tuple(i for (i,) in con.execute(
            "select submission_id from raw.submissions order by submission_id").fetchall())
        previous = con.execute(
            "select fingerprint, last_period from meta.builds order by built_at desc limit 1"
        ).fetchone()
        changed = con.execute(
            "select min(period) from raw.submissions where submission_id not in "
            "(select submission_id from meta.built_submissions)").fetchone()[0]  # type: ignore[index]
    except duckdb.Error as exc:
        raise BuildError(f"cannot read the warehouse's build ledger: {exc}") from exc
    finally:
        con.close()

    def full(reason: str) -> BuildPlan:
        return BuildPlan(True, settings.start_period, last, print_, ids, reason)

    if full_refresh:
        return full("a full rebuild was asked for")
    if previous is None:
        return full("first build")
    if previous[0] != print_:
        return full("the models, seeds or calendar changed since the last build")
    if last < previous[1]:
        return full("the build date is earlier than the last build's")
    candidates = [p for p in (changed, _next_period(previous[1]) if last > previous[1] else None)
                  if p is not None]
    start = max(min(candidates), settings.start_period) if candidates else _next_period(last)
    reason = (f"data or months changed from {start}" if candidates
              else "no new data: only the calendar and quality tables are refreshed")
    return BuildPlan(False, start, last, print_, ids, reason)


def record_build(settings: Settings, plan: BuildPlan) -> None:
    """After a successful dbt build: the submissions it included are now kept months."""
    from pipelines.warehouse import raw

    con = raw.connect(Workspace(settings.home).warehouse)
    try:
        con.execute(BUILD_LOG_DDL)
        con.execute("begin")
        if plan.full_refresh:
            con.execute("delete from meta.built_submissions")
        con.execute("insert or ignore into meta.built_submissions select unnest(?)",
                    [list(plan.submission_ids)])
        con.execute("insert into meta.builds values (current_timestamp, ?, ?, ?, ?, ?)",
                    [plan.full_refresh, plan.changed_from, plan.last_period, plan.fingerprint,
                     len(plan.submission_ids)])
        con.execute(PENDING_DDL)
        con.execute("delete from meta.pending_build")
        con.execute("commit")
    finally:
        con.close()


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
    a half-built state: under the writer lock the warehouse is checkpointed and closed (its
    file then holds everything, with no write-ahead log), copied byte for byte beside the
    published copy, and swapped in whole.
    """
    import shutil

    import duckdb

    ws = Workspace(settings.home).ensure()
    target = ws.published / "warehouse.duckdb"
    tmp = ws.published / ".warehouse.part.duckdb"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(ws.warehouse))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    wal = ws.warehouse.with_name(ws.warehouse.name + ".wal")
    if wal.exists():  # closing checkpoints; a log left behind means the copy would lag
        raise RuntimeError(f"the warehouse still has a write-ahead log ({wal}); not publishing")
    shutil.copyfile(ws.warehouse, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
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


class BuildError(RuntimeError):
    """dbt failed: a model did not build or a blocking data test failed."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """A dbt process must not outlive the build that started it (it would hold the warehouse)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_dbt(settings: Settings, args: list[str], env: dict[str, str] | None = None) -> None:
    """The dbt executable on the project, its output in logs/dbt.log of the workspace."""
    configure_env(settings)
    ws = Workspace(settings.home).ensure()
    with open(ws.logs / "dbt.log", "w", encoding="utf-8") as out:
        code = subprocess.run([dbt_executable(), *args, "--profiles-dir", str(PROJECT_DIR)],
                              cwd=PROJECT_DIR, env={**os.environ, **(env or {})},
                              stdout=out, stderr=subprocess.STDOUT,
                              preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                              check=False).returncode
    if code != 0:
        failed = _failed_nodes(PROJECT_DIR / "target" / "run_results.json")
        raise BuildError(f"the warehouse build failed ({', '.join(failed) or f'dbt exit {code}'}); "
                         f"see {ws.logs / 'dbt.log'}")


def _failed_nodes(run_results: Path) -> list[str]:
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [r["unique_id"].split(".")[-1] for r in results
            if r.get("status") in ("error", "fail", "runtime error")][:5]


class PublicationBlocked(BuildError):
    """The disclosure audit found suppressed cells that the published ones determine: the
    build is not recorded and nothing is published (the previous publication stays)."""


PENDING_DDL = """
create schema if not exists meta;
create table if not exists meta.pending_build (plan varchar not null);
"""


def save_pending(settings: Settings, plan: BuildPlan) -> None:
    """The plan dbt has just built, waiting for the audit and publication (which may run in
    another Dagster step)."""
    from pipelines.warehouse import raw

    con = raw.connect(Workspace(settings.home).warehouse)
    try:
        con.execute(PENDING_DDL)
        con.execute("begin")
        con.execute("delete from meta.pending_build")
        con.execute("insert into meta.pending_build values (?)",
                    [json.dumps(dataclasses.asdict(plan))])
        con.execute("commit")
    finally:
        con.close()


def pending(settings: Settings) -> BuildPlan | None:
    from pipelines.warehouse import raw

    con = raw.connect(Workspace(settings.home).warehouse)
    try:
        con.execute(PENDING_DDL)
        row = con.execute("select plan from meta.pending_build").fetchone()
    finally:
        con.close()
    if row is None:
        return None
    fields = json.loads(row[0])
    fields["submission_ids"] = tuple(fields["submission_ids"])
    return BuildPlan(**fields)


def protect_and_publish(settings: Settings) -> Protection:
    """After dbt (`save_pending`): secondary suppression and the disclosure audit
    (pipelines/disclosure/); if it passes, the build enters the ledger and the copy is
    published. Call it holding the writer lock."""
    from pipelines.disclosure.protect import protect_and_audit

    if pending(settings) is None:
        raise BuildError("no build waits for publication: run the warehouse build first")
    return audit_and_publish(settings, protect_and_audit(Workspace(settings.home).warehouse))


def audit_and_publish(settings: Settings, protection: Protection | None = None) -> Protection:
    """Publish the pending build if the disclosure audit of the marts as they are passes
    (`protection`: the audit just made); otherwise PublicationBlocked, and nothing changes."""
    from pipelines.disclosure.protect import audit_only

    plan = pending(settings)
    if plan is None:
        raise BuildError("no build waits for publication: run the warehouse build first")
    protection = protection or audit_only(Workspace(settings.home).warehouse)
    if not protection.passed:
        found = protection.audit.recoverable
        sample = ", ".join(f"{r.indicator_code} {r.period} {r.window} {r.scope} {r.scope_code}"
                           f" {r.dimension}={r.dimension_value}".rstrip("= ")
                           for r in found.head(3).itertuples())
        raise PublicationBlocked(
            f"publication stopped: the disclosure audit found {len(found)} suppressed cells "
            f"recoverable from the published ones ({sample})"
            + (f"; links broken by the exact values: {protection.audit.broken_links}"
               if protection.audit.broken_links else "")
            + "; the previous publication stays")
    record_build(settings, plan)
    publish(settings)
    return protection


def run_build(settings: Settings, as_of: dt.date | None = None,
              full_refresh: bool = False) -> BuildPlan:
    """`osservatorio build`: what the Dagster assets run (the same plan, arguments, ledger,
    disclosure audit and publication), with the dbt executable called directly rather than
    through Dagster (which is what needs the parsed manifest)."""
    with writer_lock(settings.home):
        plan = plan_build(settings, as_of, full_refresh)
        log.info("warehouse build: %s", plan.reason)
        run_dbt(settings, build_args(settings, plan=plan), dbt_env(as_of, plan))
        save_pending(settings, plan)
        protect_and_publish(settings)
    return plan
