"""The verdict on a set of drops: read, check folders, run the suites, collect issues.

`evaluate` is what both `osservatorio check` and ingestion call, so that a partner's
pre-check and the real ingestion can never disagree. It writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import pandas as pd

from pipelines import formats, reference
from pipelines.ingestion.columns import TABLES
from pipelines.ingestion.inbox import Drop
from pipelines.ingestion.reader import RawTable, ReadResult, read_file
from pipelines.issues import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    ERROR,
    REJECTED,
    WARNING,
    Issue,
    Severity,
    Verdict,
    file_issue,
)
from pipelines.period import PERIOD_RE
from pipelines.settings import Settings
from pipelines.timing import Stopwatch
from pipelines.validation import explain
from pipelines.validation.derived import FRAMES, TablePart
from pipelines.validation.suites import Engine, validate_frames

log = logging.getLogger(__name__)


VERDICT_IT = {
    ACCEPTED: "accettato",
    ACCEPTED_WITH_WARNINGS: "accettato con avvisi",
    REJECTED: "respinto",
}


def mask(value: str | None, column: str | None) -> str | None:
    """A codice fiscale is never echoed whole, not even back to the partner in text."""
    if value is None or column != "codice_fiscale":
        return value
    v = "".join(value.split())
    return v[:2] + "*" * max(len(v) - 3, 0) + v[-1:] if len(v) > 3 else "***"


@dataclass
class FileVerdict:
    drop: Drop
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, RawTable] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(i.severity == ERROR for i in self.issues)

    @property
    def warnings(self) -> int:
        return sum(i.severity == WARNING for i in self.issues)

    @property
    def status(self) -> Verdict:
        if self.errors:
            return REJECTED
        return ACCEPTED_WITH_WARNINGS if self.warnings else ACCEPTED

    def table_rows(self, table: str) -> tuple[int, int]:
        """(read, accepted) rows of one table; nothing is accepted of a rejected file."""
        read = len(self.tables[table]) if table in self.tables else 0
        return read, 0 if self.status == REJECTED else read

    @property
    def rows_read(self) -> int:
        """The interventions the partner reported (the `interventi` rows)."""
        return self.table_rows("interventi")[0]

    @property
    def rows_accepted(self) -> int:
        return self.table_rows("interventi")[1]

    def as_json(self) -> dict:
        tables = {}
        for name in TABLES:
            if name in self.tables:
                read, accepted = self.table_rows(name)
                tables[name] = {"read": read, "accepted": accepted}
        return {
            "partner": self.drop.partner,
            "period": self.drop.period,
            "file": self.drop.name,
            "sha256": self.drop.sha256,
            "status": self.status,
            "rows": {"read": self.rows_read, "accepted": self.rows_accepted},
            "tables": tables,
            "issues": [i.as_json() for i in self.issues],
        }


def folder_issues(drop: Drop, settings: Settings) -> list[Issue]:
    """The folder is the partner's identity; the period folder must be a month we expect."""
    partners = reference.partners()
    if drop.partner not in partners:
        return [file_issue("unknown_partner", partner=drop.partner)]
    if not PERIOD_RE.match(drop.period):
        return [file_issue("invalid_period_folder", period=drop.period)]
    if not settings.start_period <= drop.period <= settings.end_period:
        return [
            file_issue(
                "period_outside_partnership",
                period=formats.month(drop.period),
                start=formats.month(settings.start_period),
                end=formats.month(settings.end_period),
            )
        ]
    p = partners[drop.partner]
    if (p.active_from and drop.period < p.active_from) or (
        p.active_to and drop.period > p.active_to
    ):
        return [
            file_issue(
                "partner_not_active", partner=drop.partner, period=formats.month(drop.period)
            )
        ]
    return []


def evaluate(
    drops: Sequence[Drop],
    settings: Settings,
    watch: Stopwatch | None = None,
    engine: Engine | None = None,
) -> list[FileVerdict]:
    """The verdict on each drop (what `check` and the portal show)."""
    return evaluate_batch(drops, settings, watch, engine)[0]


@dataclass
class Reading:
    """A batch's drops with their folder issues, and its files being read: in the pool from
    the moment it was started (so that the next batch is read while this one is validated
    and recorded), or in this process as the results are taken."""

    verdicts: list[FileVerdict]
    readable: list[int]  # positions of the drops whose files are read
    results: Iterator[ReadResult]


def start_reading(
    drops: Sequence[Drop], settings: Settings, pool: Executor | None = None
) -> Reading:
    verdicts = [FileVerdict(d) for d in drops]
    for v in verdicts:
        v.issues.extend(folder_issues(v.drop, settings))
    readable = [i for i, v in enumerate(verdicts) if not v.issues]
    paths = [verdicts[i].drop.path for i in readable]
    sizes = [settings.max_file_bytes] * len(readable)
    results = (
        iter(map(read_file, paths, sizes)) if pool is None else pool.map(read_file, paths, sizes)
    )
    return Reading(verdicts, readable, results)


def evaluate_batch(
    drops: Sequence[Drop],
    settings: Settings,
    watch: Stopwatch | None = None,
    engine: Engine | None = None,
    pool: Executor | None = None,
    reading: Reading | None = None,
) -> tuple[list[FileVerdict], dict[str, pd.DataFrame]]:
    """The verdicts, and the typed rows of all the drops by table (column `_file` is the
    drop's position in `drops`; rejected files' rows included). `engine` says who runs the
    suites (`suites.Engine`, default `settings.recording_engine`): the verdicts are the same
    either way. `pool` (`workers.pool`) reads the files on every core; `reading` is the
    drops' reading already started (`start_reading`)."""
    watch = watch or Stopwatch()
    reading = reading or start_reading(drops, settings, pool)
    verdicts = reading.verdicts
    parts: dict[str, list[TablePart]] = {t: [] for t in TABLES}
    with watch.stage("read"):
        for i, result in zip(reading.readable, reading.results, strict=True):
            v = verdicts[i]
            v.issues.extend(result.issues)
            v.tables = result.tables
            # One round trip: a table that was found is checked row by row even when the
            # file has a file-level error (a missing column), so that every problem is told
            # at once; the missing column's own cells are not reported row by row.
            for name, table in result.tables.items():
                parts[name].append(TablePart(i, v.drop.period, table))
    with watch.stage("derive"):
        frames = {t: FRAMES[t](p) for t, p in parts.items() if p}
    with watch.stage("validate"):
        failures = validate_frames(frames, engine or settings.recording_engine)  # type: ignore[arg-type]
    positions: dict[str, dict[tuple[int, int], int]] = {}
    # A cell the reader already flagged (a formula without a value) is told about once.
    flagged = {
        (i, issue.sheet, issue.row, issue.column)
        for i, v in enumerate(verdicts)
        for issue in v.issues
        if issue.row is not None
    }
    for f in failures:
        v = verdicts[f.file_index]
        df = frames[f.table]
        if f.table not in positions:
            keys = zip(df["_file"].tolist(), df["_row"].tolist(), strict=True)
            positions[f.table] = dict(zip(keys, range(len(df)), strict=True))
        table = v.tables[f.table]
        if f.column not in table.positions:
            continue  # a missing column: said once, at file level
        if (f.file_index, table.sheet or f.table, f.row, table.headers[f.column]) in flagged:
            continue
        row = df.iloc[positions[f.table][(f.file_index, f.row)]]
        raw = row[f.column]
        value = None if raw is None or (isinstance(raw, float) and raw != raw) else str(raw)
        shown = mask(explain.shown_value(f.column, value, row), f.column)
        v.issues.append(
            Issue(
                Severity(f.severity),
                f.rule,
                f.message.format(value=shown or ""),
                sheet=table.sheet or f.table,
                row=f.row,
                column=table.headers.get(f.column) or _template_header(f.table, f.column),
                value=shown,
                expected=explain.expected(f.rule, f.column, f.expected, row, v.drop.period),
            )
        )
    for v in verdicts:
        v.issues.sort(key=lambda i: (i.row is not None, i.sheet or "", i.row or 0, i.column or ""))
    for v in verdicts:
        rules = sorted({i.rule for i in v.issues if i.severity == ERROR})
        log.info(
            "file %s/%s/%s: %s, %d rows, %d errors, %d warnings%s",
            v.drop.partner,
            v.drop.period,
            v.drop.name,
            v.status,
            v.rows_read,
            v.errors,
            v.warnings,
            f" (rules: {', '.join(rules)})" if rules else "",
        )
    return verdicts, frames


def _template_header(table: str, column: str) -> str:
    return next(c.template_header for c in TABLES[table] if c.name == column)
