"""Files for a closed month: held at ingestion, applied at the first ingestion after the
steward reopened the month.

A held file is validated and stored like any accepted file (its rows are in the raw
tables), but its ledger status is `held`, so dbt does not count it. Applying it is one
transaction: its status becomes its verdict, a row of `raw.held_releases` says when, and it
leaves `meta.built_submissions` so the next build recomputes its month. Its `received_at`
and version stay those of its arrival, so held files count in arrival order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.approval.state import HELD, approved_months, held_files
from pipelines.warehouse.engine import TEXTS, Connection
from pipelines.warehouse.plan import BUILD_LOG_DDL


@dataclass(frozen=True)
class Released:
    submission_id: str
    partner: str
    period: str
    file_name: str


def is_locked(approved: set[tuple[str, str]], partner: str, period: str) -> bool:
    return (partner, period) in approved


def release_held(con: Connection) -> list[Released]:
    """Apply every held file whose month is no longer approved; nothing if none."""
    approved = approved_months(con)
    todo = [Released(*r) for r in held_files(con) if (r[1], r[2]) not in approved]
    if not todo:
        return []
    ids = [r.submission_id for r in todo]
    con.execute(BUILD_LOG_DDL)
    with con.transaction():
        con.execute(
            "update raw.submissions set status = case when warnings > 0 "
            "then 'accepted_with_warnings' else 'accepted' end "
            f"where status = ? and submission_id in (select {TEXTS})",
            [HELD, ids],
        )
        con.execute(
            f"insert into raw.held_releases select {TEXTS}, ?",
            [ids, dt.datetime.now(dt.UTC)],
        )
        con.execute(
            f"delete from meta.built_submissions where submission_id in (select {TEXTS})", [ids]
        )
    return todo
