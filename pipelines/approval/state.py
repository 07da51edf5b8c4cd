"""What the approval ledger `raw.period_approvals` says: which partner-months are approved,
and which version of a partner-month counts now. Read inside the writer's connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.warehouse.engine import Connection

APPROVED = "approved"
REOPENED = "reopened"
HELD = "held"  # a submission status beside the validation's Verdict values
ACCEPTED_STATUSES = ("accepted", "accepted_with_warnings")

_LATEST_ACTION = """
with ranked as (
    select
        partner_code,
        period,
        action,
        row_number() over (partition by partner_code, period order by approval_seq desc) as recency
    from raw.period_approvals
)
select partner_code, period, action from ranked where recency = 1
"""


@dataclass(frozen=True)
class CurrentVersion:
    """The latest accepted file of a partner-month (the one an approval records)."""

    submission_id: str
    file_name: str
    sha256: str
    received_at: dt.datetime


def approved_months(con: Connection) -> set[tuple[str, str]]:
    """Partner-months whose latest action is an approval: they are locked."""
    return {(p, m) for p, m, a in con.execute(_LATEST_ACTION).fetchall() if a == APPROVED}


def latest_action(con: Connection, partner: str, period: str) -> str | None:
    row = con.execute(
        "select action from raw.period_approvals where partner_code = ? and period = ? "
        "order by approval_seq desc limit 1",
        [partner, period],
    ).fetchone()
    return str(row[0]) if row else None


def current_version(con: Connection, partner: str, period: str) -> CurrentVersion | None:
    """The latest accepted (not held) file, by arrival then version, as dbt orders them."""
    row = con.execute(
        "select submission_id, file_name, sha256, received_at from raw.submissions "
        "where partner_code = ? and period = ? "
        "and status in ('accepted', 'accepted_with_warnings') "
        "order by received_at desc, version desc limit 1",
        [partner, period],
    ).fetchone()
    return CurrentVersion(*row) if row else None


def held_files(
    con: Connection, partner: str | None = None, period: str | None = None
) -> list[tuple[str, str, str, str]]:
    """Held files (submission_id, partner, period, file name), in arrival order."""
    sql = (
        "select submission_id, partner_code, period, file_name from raw.submissions "
        "where status = ?"
    )
    params: list[object] = [HELD]
    if partner is not None:
        sql += " and partner_code = ?"
        params.append(partner)
    if period is not None:
        sql += " and period = ?"
        params.append(period)
    return [
        tuple(r) for r in con.execute(sql + " order by received_at, version", params).fetchall()
    ]  # type: ignore[misc]


def partners_with_files(con: Connection, period: str) -> list[str]:
    return [
        p
        for (p,) in con.execute(
            "select distinct partner_code from raw.submissions where period = ? order by 1",
            [period],
        ).fetchall()
    ]


def next_seq(con: Connection) -> int:
    row = con.execute(
        "select coalesce(max(approval_seq), 0) + 1 from raw.period_approvals"
    ).fetchone()
    return int(row[0]) if row else 1
