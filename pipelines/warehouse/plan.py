"""The build plan and the ledger of builds: which months a build recomputes, and what the
warehouse records once a build is published (`meta.builds`, `meta.built_submissions`) or
waits for publication (`meta.pending_build`).

`decide` is a pure function of the calendar, the last build and the submissions (tested on
its own); `plan_build` reads those from the warehouse and calls it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from pipelines import period
from pipelines.settings import Settings
from pipelines.warehouse import raw
from pipelines.warehouse.dbt import PROJECT_DIR
from pipelines.warehouse.engine import TEXTS, Connection
from pipelines.warehouse.errors import BuildError
from pipelines.workspace import Workspace

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
alter table meta.builds add column if not exists due_through varchar;
alter table meta.builds add column if not exists inputs varchar;
"""


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    changed_from: str  # first month recomputed (with a full refresh: the first month)
    last_period: str  # the last reporting month that has ended at build time
    fingerprint: str  # of the dbt project, the seeds and the calendar
    submission_ids: tuple[str, ...]  # every submission the build includes
    reason: str
    due_through: str | None = None  # the last month due at build time (int_periods.is_due)
    inputs: str = ""  # digest of the raw tables' ledgers the build read (`inputs_digest`)
    up_to_date: bool = False  # nothing to build: the published warehouse is this build


def last_period(settings: Settings, as_of: dt.date | None = None) -> str:
    """The last month that has ended at `as_of`, capped at the calendar's end (int_periods)."""
    return period.last_ended(as_of or dt.date.today(), settings.end_period)


def fingerprint(settings: Settings) -> str:
    """What, when it changes, invalidates every kept month: the SQL, the seeds, the calendar."""

    digest = hashlib.sha256(
        json.dumps([settings.start_period, settings.end_period, settings.due_day]).encode()
    )
    roots = [PROJECT_DIR / "models", PROJECT_DIR / "macros", PROJECT_DIR.parent / "seeds"]
    sources = sorted(
        p
        for r in roots
        for p in r.rglob("*")
        if p.is_file() and p.suffix in (".sql", ".yml", ".csv")
    )
    files = [PROJECT_DIR / "dbt_project.yml", *sources]
    for f in files:
        digest.update(str(f.relative_to(PROJECT_DIR.parent)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def due_through(settings: Settings, as_of: dt.date | None = None) -> str | None:
    """The last month whose report is due at `as_of` (what time changes in a build)."""
    day = as_of or dt.date.today()
    due = period.due_by(settings.start_period, last_period(settings, day), day, settings.due_day)
    return due[-1] if due else None


@dataclass(frozen=True)
class LastBuild:
    fingerprint: str
    last_period: str
    due_through: str | None = None
    inputs: str | None = None


def decide(
    *,
    start_period: str,
    last: str,
    fingerprint: str,
    previous: LastBuild | None,
    first_changed: str | None,
    submission_ids: tuple[str, ...],
    full_refresh: bool = False,
    due: str | None = None,
    inputs: str = "",
    published: bool = True,
) -> BuildPlan:
    """The plan, from the facts alone: the calendar (`start_period`, the `last` month that has
    ended, the last month `due`), the project's `fingerprint`, the `previous` build, the
    first month that a submission not yet built touches, the digest of the raw `inputs`,
    and whether the previous build is `published` (none waits for publication)."""

    def full(reason: str) -> BuildPlan:
        return BuildPlan(True, start_period, last, fingerprint, submission_ids, reason, due, inputs)

    if full_refresh:
        return full("a full rebuild was asked for")
    if previous is None:
        return full("first build")
    if previous.fingerprint != fingerprint:
        return full("the models, seeds or calendar changed since the last build")
    if last < previous.last_period:
        return full("the build date is earlier than the last build's")
    new_month = period.following(previous.last_period) if last > previous.last_period else None
    candidates = [p for p in (first_changed, new_month) if p is not None]
    if not candidates:
        if published and previous.inputs == inputs and previous.due_through == due:
            return BuildPlan(
                False,
                period.following(last),
                last,
                fingerprint,
                submission_ids,
                "nothing changed since the last build: the published warehouse is current",
                due,
                inputs,
                up_to_date=True,
            )
        return BuildPlan(
            False,
            period.following(last),
            last,
            fingerprint,
            submission_ids,
            "no new data: only the calendar and quality tables are refreshed",
            due,
            inputs,
        )
    start = max(min(candidates), start_period)
    return BuildPlan(
        False,
        start,
        last,
        fingerprint,
        submission_ids,
        f"data or months changed from {start}",
        due,
        inputs,
    )


# The raw tables a build reads beyond the submissions' rows (which enter with their
# submission, whose id the ledger keeps): any change of them is a change of the build's data.
INPUT_LEDGERS = ("raw.submissions", "raw.period_approvals", "raw.held_releases")


def inputs_digest(con: Connection) -> str:
    """A digest of the ledgers of `INPUT_LEDGERS` (small tables: one row per file or act),
    their rows ordered by every column in turn."""
    digest = hashlib.sha256()
    for table in INPUT_LEDGERS:
        columns = ", ".join(_columns(con, table))
        rows = con.execute(f"select {columns} from {table} order by {columns}").fetchall()
        digest.update(table.encode() + b"\0" + repr(rows).encode() + b"\0")
    return digest.hexdigest()


def _columns(con: Connection, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
    ]


def plan_build(
    settings: Settings, as_of: dt.date | None = None, full_refresh: bool = False
) -> BuildPlan:
    """Full refresh or the months to recompute; call it holding the writer lock."""
    ws = Workspace(settings.home).ensure()
    con = raw.connect(settings)
    try:
        con.execute(BUILD_LOG_DDL)
        ids = tuple(
            i
            for (i,) in con.execute(
                "select submission_id from raw.submissions order by submission_id"
            ).fetchall()
        )
        previous = con.execute(
            "select fingerprint, last_period, due_through, inputs from meta.builds "
            "order by built_at desc limit 1"
        ).fetchone()
        changed = con.execute(
            "select min(period) from raw.submissions where submission_id not in "
            "(select submission_id from meta.built_submissions)"
        ).fetchone()[0]  # type: ignore[index]
        con.execute(PENDING_DDL)
        waiting = con.execute("select count(*) from meta.pending_build").fetchone()[0]  # type: ignore[index]
        inputs = inputs_digest(con)
    except con.error as exc:
        raise BuildError(f"cannot read the warehouse's build ledger: {exc}") from exc
    finally:
        con.close()
    return decide(
        start_period=settings.start_period,
        last=last_period(settings, as_of),
        fingerprint=fingerprint(settings),
        previous=LastBuild(*previous) if previous else None,
        first_changed=changed,
        submission_ids=ids,
        full_refresh=full_refresh,
        due=due_through(settings, as_of),
        inputs=inputs,
        published=not waiting and (ws.published / "warehouse.duckdb").is_file(),
    )


def record_build(settings: Settings, plan: BuildPlan) -> None:
    """After a successful dbt build: the submissions it included are now kept months."""
    con = raw.connect(settings)
    try:
        con.execute(BUILD_LOG_DDL)
        con.execute("begin")
        if plan.full_refresh:
            con.execute("delete from meta.built_submissions")
        con.execute(
            f"insert into meta.built_submissions select {TEXTS} on conflict do nothing",
            [list(plan.submission_ids)],
        )
        con.execute(
            "insert into meta.builds (built_at, full_refresh, changed_from, last_period, "
            "fingerprint, submissions, due_through, inputs) "
            "values (current_timestamp, ?, ?, ?, ?, ?, ?, ?)",
            [
                plan.full_refresh,
                plan.changed_from,
                plan.last_period,
                plan.fingerprint,
                len(plan.submission_ids),
                plan.due_through,
                plan.inputs,
            ],
        )
        con.execute(PENDING_DDL)
        con.execute("delete from meta.pending_build")
        con.execute("commit")
    finally:
        con.close()


PENDING_DDL = """
create schema if not exists meta;
create table if not exists meta.pending_build (plan varchar not null);
"""


def save_pending(settings: Settings, plan: BuildPlan) -> None:
    """The plan dbt has just built, waiting for the audit and publication (which may run in
    another Dagster step)."""
    con = raw.connect(settings)
    try:
        con.execute(PENDING_DDL)
        con.execute("begin")
        con.execute("delete from meta.pending_build")
        con.execute(
            "insert into meta.pending_build values (?)", [json.dumps(dataclasses.asdict(plan))]
        )
        con.execute("commit")
    finally:
        con.close()


def pending(settings: Settings) -> BuildPlan | None:
    con = raw.connect(settings)
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
