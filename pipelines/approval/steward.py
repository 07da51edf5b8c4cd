"""The steward's two commands: approve a partner-month (lock it) and reopen it.

Each is one transaction under the writer lock (pipelines/warehouse/lock.py), appending to
`raw.period_approvals`; the history is never rewritten. A crash before the commit leaves
nothing, so running the command again gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.approval.state import (
    APPROVED,
    REOPENED,
    current_version,
    held_files,
    latest_action,
    next_seq,
    partners_with_files,
)
from pipelines.settings import Settings
from pipelines.warehouse import raw
from pipelines.warehouse.engine import Connection
from pipelines.warehouse.lock import writer_lock
from pipelines.workspace import Workspace


@dataclass
class Outcome:
    """What a command did: the partner-months it changed, and why others were left alone."""

    done: list[tuple[str, str, str | None]] = field(default_factory=list)  # partner, period, sha
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # partner, period, why

    @property
    def ok(self) -> bool:
        return bool(self.done)


def _append(con: Connection, rows: list[tuple]) -> None:
    with con.transaction():
        seq = next_seq(con)
        for i, (partner, period, action, by, note, sha) in enumerate(rows):
            con.execute(
                "insert into raw.period_approvals values (?, ?, ?, ?, ?, ?, ?, ?)",
                [seq + i, partner, period, action, raw.now_utc(), by, note, sha],
            )


def _why_not_approvable(con: Connection, partner: str, period: str) -> str | None:
    if latest_action(con, partner, period) == APPROVED:
        return "already approved"
    if held := held_files(con, partner, period):
        return (
            f"{len(held)} held file(s) wait to be applied ({held[0][3]}...): run "
            "`osservatorio ingest` and check the figures first"
        )
    if current_version(con, partner, period) is None:
        return "no accepted file for this month"
    return None


def approve(
    settings: Settings, period: str, by: str, partner: str | None = None, note: str | None = None
) -> Outcome:
    """Approve the current accepted version of one partner-month, or of every partner with
    files in the month (partners with none accepted are named in `refused`)."""
    by = by.strip()
    if not by:
        raise ValueError("the steward's name (--by) is required")
    ws = Workspace(settings.home).ensure()
    out = Outcome()
    with writer_lock(ws.home):
        con = raw.connect(settings)
        try:
            partners = [partner] if partner else partners_with_files(con, period)
            rows = []
            for p in partners:
                why = _why_not_approvable(con, p, period)
                if why:
                    out.refused.append((p, period, why))
                    continue
                version = current_version(con, p, period)
                assert version is not None
                rows.append((p, period, APPROVED, by, note, version.sha256))
                out.done.append((p, period, version.sha256))
            if rows:
                _append(con, rows)
        finally:
            con.close()
    if not partner and not out.done and not out.refused:
        out.refused.append(("-", period, "no partner has sent a file for this month"))
    return out


def reopen(settings: Settings, period: str, partner: str, by: str, reason: str) -> Outcome:
    """Reopen an approved partner-month; its held files are applied at the next ingest."""
    by, reason = by.strip(), reason.strip()
    if not by or not reason:
        raise ValueError("reopening needs the steward's name (--by) and a reason (--reason)")
    ws = Workspace(settings.home).ensure()
    out = Outcome()
    with writer_lock(ws.home):
        con = raw.connect(settings)
        try:
            if latest_action(con, partner, period) != APPROVED:
                out.refused.append((partner, period, "it is not approved"))
                return out
            version = current_version(con, partner, period)
            _append(
                con, [(partner, period, REOPENED, by, reason, version.sha256 if version else None)]
            )
            out.done.append((partner, period, version.sha256 if version else None))
        finally:
            con.close()
    return out
