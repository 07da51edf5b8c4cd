"""What the alert rules look at, read from the published copy of the warehouse.

Everything is as of the end of a day (Europe/Rome): files received later are not seen, so
evaluating an earlier day gives what was known then. The figures of the anomaly rule are
those of the version of each partner-month that counts at the last build.
Only codes, periods, dates and counts leave the warehouse here: no row of a person.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field, replace

from pipelines.workspace import Workspace


@dataclass(frozen=True)
class PartnerMonth:
    partner: str
    period: str
    due_date: dt.date
    files: int  # distinct files received by the cut-off
    accepted_files: int
    open_rejections: int  # rejected files received after the last accepted one
    first_accepted_at: dt.datetime | None = None
    approved: bool = False  # at the last build


@dataclass(frozen=True)
class RejectedFile:
    """The latest rejected file of a partner-month not followed by an accepted file."""

    partner: str
    period: str
    version: int
    sha256: str
    received_at: dt.datetime
    errors: int
    feedback: str | None = None  # the feedback page, relative to the workspace
    error_rules: tuple[tuple[str, int], ...] = ()  # rule id, how many rows broke it
    # the column header as the partner wrote it ("" for the file as a whole), how many errors
    error_columns: tuple[tuple[str, int], ...] = ()
    file_name: str = ""


@dataclass(frozen=True)
class HeldFile:
    """A file accepted for an approved partner-month, waiting for the month to be reopened."""

    partner: str
    period: str
    file_name: str
    sha256: str
    received_at: dt.datetime


@dataclass(frozen=True)
class Figure:
    """A partner's month in one area: interventions, distinct persons, amount paid out."""

    partner: str
    period: str
    area: str
    interventions: int
    persons: int
    amount_eur: float


@dataclass
class Facts:
    cutoff: dt.datetime  # the first instant after the evaluated day
    partner_months: list[PartnerMonth] = field(default_factory=list)
    rejected_files: list[RejectedFile] = field(default_factory=list)
    held_files: list[HeldFile] = field(default_factory=list)
    # partner-months with an accepted interventi table by the cut-off, and their figures
    reported: set[tuple[str, str]] = field(default_factory=set)
    figures: list[Figure] = field(default_factory=list)
    last_accepted_at: dt.datetime | None = None
    first_due_date: dt.date | None = None
    last_calendar_period: str | None = None


ACCEPTED = "status in ('accepted', 'accepted_with_warnings')"

_FILES = f"""
with files as (
    select partner_code, period, version, sha256, file_name, status, received_at, errors
    from marts.submissions
    where received_at < $cutoff
),

last_accepted as (
    select partner_code, period, max(received_at) as last_accepted_at
    from files
    where {ACCEPTED}
    group by all
),

open_rejections as (
    select files.*
    from files
    left join last_accepted
        on files.partner_code = last_accepted.partner_code
        and files.period = last_accepted.period
    where files.status = 'rejected'
        and (last_accepted.last_accepted_at is null
            or files.received_at > last_accepted.last_accepted_at)
)
"""

PARTNER_MONTHS_SQL = (
    _FILES
    + f"""
select
    calendar.partner_code,
    calendar.period,
    calendar.due_date,
    count(files.sha256) as files,
    count(files.sha256) filter (where files.{ACCEPTED}) as accepted_files,
    (select count(*) from open_rejections
        where open_rejections.partner_code = calendar.partner_code
            and open_rejections.period = calendar.period) as open_rejections,
    min(files.received_at) filter (where files.{ACCEPTED}) as first_accepted_at,
    calendar.is_approved
from marts.submission_calendar as calendar
left join files
    on calendar.partner_code = files.partner_code and calendar.period = files.period
group by all
order by calendar.partner_code, calendar.period
"""
)

REJECTED_FILES_SQL = (
    _FILES
    + """
select partner_code, period, version, sha256, received_at, errors, file_name
from open_rejections
qualify row_number() over (
    partition by partner_code, period order by received_at desc, version desc) = 1
order by partner_code, period
"""
)

_REPORTED = f"""
with reported as (
    select distinct partner_code, period
    from marts.submissions
    where {ACCEPTED} and delivers_interventi and received_at < $cutoff
)
"""

HELD_FILES_SQL = """
select partner_code, period, file_name, sha256, received_at
from marts.submissions
where status = 'held' and received_at < $cutoff
order by received_at, partner_code, period
"""

REPORTED_SQL = _REPORTED + "select partner_code, period from reported"

FIGURES_SQL = (
    _REPORTED
    + """
select
    interventions.partner_code,
    interventions.period,
    interventions.area_code,
    count(*) as interventions,
    count(distinct interventions.person_id) as persons,
    coalesce(sum(interventions.amount_eur), 0) as amount_eur
from marts.fct_interventions as interventions
inner join reported
    on interventions.partner_code = reported.partner_code
    and interventions.period = reported.period
group by all
order by all
"""
)

PARTNERSHIP_SQL = f"""
select
    (select max(received_at) from marts.submissions
        where {ACCEPTED} and received_at < $cutoff) as last_accepted_at,
    (select min(due_date) from marts.submission_calendar) as first_due_date,
    (select max(period) from marts.submission_calendar) as last_calendar_period
"""


def feedback_of(ws: Workspace, f: RejectedFile) -> RejectedFile:
    """The file's feedback page in the outbox and the rules its errors broke (from the JSON
    beside the page, whose format is the `check --format json` of interfaces.md)."""
    folder = ws.outbox / f.partner / f.period
    pages = sorted(folder.glob(f"esito_{f.sha256[:8]}_*.html")) if folder.is_dir() else []
    if not pages:
        return f
    rules: Counter[str] = Counter()
    columns: Counter[str] = Counter()
    try:
        verdict = json.loads(pages[0].with_suffix(".json").read_text(encoding="utf-8"))
        errors = [i for i in verdict.get("issues", []) if i.get("severity") == "error"]
        rules.update(str(i["rule"]) for i in errors)
        columns.update(str(i.get("column") or "") for i in errors)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # the page alone is enough for the partner

    def ranked(c: Counter[str]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    return replace(
        f,
        feedback=pages[0].relative_to(ws.home).as_posix(),
        error_rules=ranked(rules),
        error_columns=ranked(columns),
    )


def load(ws: Workspace, cutoff: dt.datetime) -> Facts:
    import duckdb

    con = duckdb.connect(str(ws.published / "warehouse.duckdb"), read_only=True)
    try:
        params = {"cutoff": cutoff}
        facts = Facts(cutoff=cutoff)
        facts.partner_months = [
            PartnerMonth(p, m, d, int(f), int(a), int(o), fa, bool(ap))
            for p, m, d, f, a, o, fa, ap in con.execute(PARTNER_MONTHS_SQL, params).fetchall()
        ]
        facts.rejected_files = [
            feedback_of(ws, RejectedFile(p, m, int(v), s, r, int(e or 0), file_name=n))
            for p, m, v, s, r, e, n in con.execute(REJECTED_FILES_SQL, params).fetchall()
        ]
        facts.held_files = [HeldFile(*r) for r in con.execute(HELD_FILES_SQL, params).fetchall()]
        facts.reported = {(p, m) for p, m in con.execute(REPORTED_SQL, params).fetchall()}
        facts.figures = [
            Figure(p, m, a, int(n), int(k), float(e))
            for p, m, a, n, k, e in con.execute(FIGURES_SQL, params).fetchall()
        ]
        row = con.execute(PARTNERSHIP_SQL, params).fetchone()
    finally:
        con.close()
    if row is not None:
        facts.last_accepted_at, facts.first_due_date, facts.last_calendar_period = row
    return facts
