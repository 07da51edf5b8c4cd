"""One ingestion run: every new file of the inbox read, validated, answered, recorded.

The CLI (`osservatorio ingest`), the Dagster inbox sensor's run and the tests all call
`ingest`. Files go in batches: per file archive, quarantine (if rejected) and feedback, then
one warehouse transaction for the batch; a crash before the commit leaves the whole batch
new, and the next run redoes it with the same results. The work overlaps on the cores: the
worker pool reads batch k+1 and writes batch k's annotated workbooks while this process
validates batch k+1, and batch k is recorded after that. A file accepted for a partner-month
the steward approved is `held` (pipelines/approval/); a run first applies the held files of
months reopened since.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipelines import workers
from pipelines.approval.held import Released, release_held
from pipelines.approval.state import HELD, approved_months
from pipelines.ingestion.inbox import Drop, scan
from pipelines.issues import ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED
from pipelines.settings import Settings
from pipelines.timing import Stopwatch
from pipelines.warehouse import raw
from pipelines.warehouse.lock import writer_lock
from pipelines.workspace import Workspace

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future
    from pathlib import Path

    import pandas as pd

    from pipelines.validation.evaluate import FileVerdict
    from pipelines.warehouse.engine import Connection

# A run with nothing new imports neither pandas nor the validation (seconds of a process's
# start): what reads, validates and records files is imported once there are files.

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    seen: int = 0
    new: int = 0
    accepted: int = 0
    accepted_with_warnings: int = 0
    rejected: int = 0
    held: int = 0
    rows_accepted: int = 0
    submission_ids: list[str] = field(default_factory=list)
    released: list[Released] = field(default_factory=list)  # held files applied this run
    problems: list[FileProblem] = field(default_factory=list)  # rejected and held files
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage

    def count(self, status: str) -> None:
        """One more file recorded with this submission status."""
        if status == ACCEPTED:
            self.accepted += 1
        elif status == ACCEPTED_WITH_WARNINGS:
            self.accepted_with_warnings += 1
        elif status == REJECTED:
            self.rejected += 1
        elif status == HELD:
            self.held += 1
        else:
            raise ValueError(f"unknown submission status {status!r}")

    @property
    def changed(self) -> bool:
        """Something was recorded: the calendar (and maybe the figures) must be rebuilt."""
        return self.new > 0 or bool(self.released)


@dataclass(frozen=True)
class FileProblem:
    """A file the steward should know of at once: rejected, or held for a closed month."""

    partner: str
    period: str
    file_name: str
    status: str
    problems: tuple[str, ...] = ()  # the first problems, "sheet row column: message"

    def as_text(self) -> str:
        head = f"{self.partner} {self.period} {self.file_name} ({self.status})"
        return head + (": " + "; ".join(self.problems) if self.problems else "")


FIRST_PROBLEMS = 3


def problems_of(v: FileVerdict, status: str) -> FileProblem:
    """The file's first errors (or, for a held file, that its month is closed)."""
    shown = []
    for i in [i for i in v.issues if i.severity == "error"][:FIRST_PROBLEMS]:
        where = " ".join(
            x
            for x in (
                i.sheet,
                f"row {i.row}" if i.row is not None else None,
                f"'{i.column}'" if i.column else None,
            )
            if x
        )
        shown.append(f"{where + ': ' if where else ''}{i.rule}")
    if status == HELD:
        shown = ["the month is approved: held until the steward reopens it"]
    return FileProblem(v.drop.partner, v.drop.period, v.drop.name, status, tuple(shown))


def new_drops(drops: list[Drop], known: set[str]) -> list[Drop]:
    """Drops whose (partner, period, content) was never recorded; the same bytes once."""
    out, seen = [], set(known)
    for d in drops:
        if d.key not in seen:
            seen.add(d.key)
            out.append(d)
    return out


# One GX pass validates a whole batch; batches bound the memory a large backlog needs.
BATCH_FILES = 200
BATCH_BYTES = 16 * 1024**2  # a regional history (tier L) stays well under 4 GB


def batches(drops: list[Drop]) -> list[list[Drop]]:
    """Consecutive drops in batches of at most BATCH_FILES files or about BATCH_BYTES."""
    out: list[list[Drop]] = []
    current: list[Drop] = []
    size = 0
    for d in drops:
        if current and (len(current) >= BATCH_FILES or size + d.size > BATCH_BYTES):
            out.append(current)
            current, size = [], 0
        current.append(d)
        size += d.size
    if current:
        out.append(current)
    return out


def ingest(settings: Settings, wait_seconds: float = 3600) -> IngestSummary:
    """Every new file of the inbox, under the writer lock (TimeoutError when another writer
    holds it longer than `wait_seconds`)."""
    key = settings.require_key()
    ws = Workspace(settings.home).ensure()
    with writer_lock(ws.home, timeout_seconds=wait_seconds):
        if removed := ws.remove_partial_writes():
            log.info("removed %d half-written files of an interrupted run", removed)
        return _ingest(settings, ws, key)


def _ingest(settings: Settings, ws: Workspace, key: bytes) -> IngestSummary:
    summary = IngestSummary()
    watch = Stopwatch()
    with watch.stage("scan"):
        drops = scan(ws.inbox, ws.inbox_hashes)
    summary.seen = len(drops)
    con = raw.connect(settings)
    try:
        # Held files of reopened months first: they arrived before anything new.
        summary.released = release_held(con)
        for r in summary.released:
            log.info(
                "ingest: applied %s (%s %s), held until the month was reopened",
                r.file_name,
                r.partner,
                r.period,
            )
        approved = approved_months(con)
        todo = new_drops(drops, raw.known_keys(con))
        versions = raw.versions(con)
        pseudonyms: dict[str, str] = {}  # this run's codice fiscale -> person_id
        summary.new = len(todo)
        if not todo:
            log.info("ingest: %d files in the inbox, none new", len(drops))
            return summary
        from pipelines.validation.evaluate import evaluate_batch, start_reading
        from pipelines.warehouse import rows

        with workers.bulk_collection(), workers.pool(len(todo), settings.workers) as pool:
            plan = batches(todo)
            reading = start_reading(plan[0], settings, pool)
            waiting: _Staged | None = None
            for k, batch in enumerate(plan):
                current = reading
                # the pool reads the next batch while this one is validated and recorded
                if k + 1 < len(plan):
                    reading = start_reading(plan[k + 1], settings, pool)
                verdicts, frames = evaluate_batch(
                    batch, settings, watch, pool=pool, reading=current
                )
                ids = [submission_id(v.drop) for v in verdicts]
                answering = _start_answer(ws, verdicts, watch, versions, approved, pool)
                if waiting is not None:
                    # the previous batch's annotated workbooks were written in the pool while
                    # this one was validated: it is recorded now
                    _record(con, ws, waiting, watch, summary)
                with watch.stage("load"):
                    typed = _typed_rows(verdicts, frames, ids, key, pseudonyms)
                    waiting = _Staged(verdicts, ids, answering, rows.stage_rows(con, typed))
            if waiting is not None:
                _record(con, ws, waiting, watch, summary)
    finally:
        con.close()
        summary.seconds = watch.as_dict()
    log.info(
        "ingest: %d new files: %d accepted, %d with warnings, %d rejected, %d held",
        summary.new,
        summary.accepted,
        summary.accepted_with_warnings,
        summary.rejected,
        summary.held,
    )
    for p in summary.problems:
        log.warning("ingest: %s", p.as_text())
    return summary


@dataclass
class _Staged:
    """A batch validated, its rows staged, its feedback being written: to be recorded."""

    verdicts: list[FileVerdict]
    ids: list[str]
    answering: _Answering
    stage: raw.Stage


def _record(
    con: Connection, ws: Workspace, b: _Staged, watch: Stopwatch, summary: IngestSummary
) -> None:
    """The batch's feedback finished, then its files in one transaction: a crash before the
    commit leaves them all new, and the next run redoes them with the same results."""
    answered = _answer(ws, b.verdicts, b.ids, watch, b.answering)
    with watch.stage("load"):
        raw.record_submissions(con, [ledger for ledger, _ in answered], b.stage)
    for v, (ledger, status) in zip(b.verdicts, answered, strict=True):
        _count(summary, v, ledger["submission_id"], status)


def submission_id(drop: Drop) -> str:
    return f"{drop.partner}_{drop.period}_{drop.sha256[:16]}"


def _typed_rows(
    verdicts: list[FileVerdict],
    frames: dict,
    ids: list[str],
    key: bytes,
    pseudonyms: dict[str, str],
) -> dict[str, pd.DataFrame]:
    """The issues of the batch's files and the rows its accepted files deliver, by raw
    table, tagged with `_file`."""
    import numpy as np
    import pandas as pd

    from pipelines.warehouse.rows import expenses_rows, interventions_rows

    accepted = np.array([v.status != REJECTED for v in verdicts], dtype=bool)
    sids = np.array(ids, dtype=object)
    out: dict[str, pd.DataFrame] = {}
    issues = [
        {
            "submission_id": ids[i],
            "severity": issue.severity,
            "rule": issue.rule,
            "sheet": issue.sheet,
            "row_number": issue.row,
            "column_header": issue.column,
            "_file": i,
        }
        for i, v in enumerate(verdicts)
        for issue in v.issues
    ]
    if issues:
        out["submission_issues"] = pd.DataFrame(issues)
    for table, df in frames.items():
        files = df["_file"].to_numpy()
        keep = accepted[files]
        if not keep.any():
            continue
        df = df[keep]
        files = files[keep]
        if table == "interventi":
            rows = interventions_rows(df, sids[files], key, pseudonyms)
        else:
            rows = expenses_rows(df, sids[files])
        rows["_file"] = files
        out[table] = rows
    return out


@dataclass
class _Answering:
    """A batch's files archived (and quarantined), their versions numbered, and their
    annotated workbooks being written in the pool."""

    stored: list[tuple[Path, Path | None, int, bool]]  # archived, quarantined, version, held
    pages: dict[int, Future[Path]]  # file position -> its feedback page, written in the pool


def _start_answer(
    ws: Workspace,
    verdicts: list[FileVerdict],
    watch: Stopwatch,
    versions: dict[tuple[str, str], int],
    approved: set[tuple[str, str]],
    pool: Executor | None = None,
) -> _Answering:
    """Archive each file, quarantine it if rejected, and start the feedback that needs an
    annotated workbook (the costly part) in `pool`, when there is one."""
    from pipelines.archive.store import archive, quarantine
    from pipelines.validation.feedback import needs_annotation, write_feedback

    stored = []
    for v in verdicts:
        drop = v.drop
        # An accepted file for an approved partner-month waits: stored, answered, not counted.
        held = v.status != REJECTED and (drop.partner, drop.period) in approved
        with watch.stage("archive"):
            archived = archive(ws, drop)
            quarantined = quarantine(ws, drop) if v.status == REJECTED else None
        version = versions.get((drop.partner, drop.period), 0) + 1
        versions[(drop.partner, drop.period)] = version
        stored.append((archived, quarantined, version, held))
    pages = {}
    if pool is not None:
        with watch.stage("feedback"):
            for i, v in enumerate(verdicts):
                if needs_annotation(v):
                    pages[i] = pool.submit(write_feedback, ws, v, stored[i][2], stored[i][3])
    return _Answering(stored, pages)


def _answer(
    ws: Workspace,
    verdicts: list[FileVerdict],
    ids: list[str],
    watch: Stopwatch,
    answering: _Answering,
) -> list[tuple[dict, str]]:
    """Write the rest of the feedback, wait for the pool's: the files' ledger rows and
    submission statuses, to be recorded with their batch."""
    from pipelines.validation.feedback import write_feedback

    stored = answering.stored
    with watch.stage("feedback"):
        pages = {
            i: write_feedback(ws, v, stored[i][2], held=stored[i][3])
            for i, v in enumerate(verdicts)
            if i not in answering.pages
        }
        pages.update({i: page.result() for i, page in answering.pages.items()})
    out = []
    for i, v in enumerate(verdicts):
        drop, (archived, quarantined, version, held) = v.drop, stored[i]
        status = HELD if held else v.status
        ledger = {
            "submission_id": ids[i],
            "partner_code": drop.partner,
            "period": drop.period,
            "file_name": drop.name,
            "sha256": drop.sha256,
            "size_bytes": drop.size,
            "received_at": drop.received_at,
            "processed_at": raw.now_utc(),
            "version": version,
            "status": status,
            "delivers_interventi": v.status != REJECTED and "interventi" in v.tables,
            "delivers_spese": v.status != REJECTED and "spese" in v.tables,
            "rows_read": v.rows_read,
            "rows_accepted": v.rows_accepted,
            "errors": v.errors,
            "warnings": v.warnings,
            "archive_path": str(archived.relative_to(ws.home)),
            "quarantine_path": str(quarantined.relative_to(ws.home)) if quarantined else None,
            "feedback_path": str(pages[i].relative_to(ws.home)),
        }
        out.append((ledger, status))
    return out


def _count(summary: IngestSummary, v: FileVerdict, submission_id: str, status: str) -> None:
    summary.count(status)
    if status in (REJECTED, HELD):
        summary.problems.append(problems_of(v, status))
    else:
        summary.rows_accepted += v.rows_accepted
    summary.submission_ids.append(submission_id)
