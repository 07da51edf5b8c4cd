"""The synthetic partner drops: files in the inbox, a manifest and the truth beside it.

For each month and partner: the partner's activity (`activity`) gives the clean rows; the
partner-month's own random stream decides whether a file comes, when, with which mistake
(`issues`), whether a resend or a correction follows (`schedule`); the partner's habits lay
the rows out (`layout`) and a writer makes the bytes (`writers`). The manifest records each
file as the platform should judge it; the truth CSVs hold the rows that should reach the
warehouse (the latest accepted version of each table of each partner-month).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from pipelines import reference
from pipelines.ingestion.columns import INTERVENTI, SPESE
from pipelines.period import parts as period_parts
from pipelines.period import shift
from pipelines.privacy.codice_fiscale import normalise
from pipelines.synthetic import issues as inj
from pipelines.synthetic import schedule
from pipelines.synthetic.activity import PartnerActivity, amount
from pipelines.synthetic.habits import Habits, draw_habits
from pipelines.synthetic.layout import NOTE_HEADER, Sheet, interventi_sheet, spese_sheet
from pipelines.synthetic.names import MONTHS_IT
from pipelines.synthetic.people import PeoplePool
from pipelines.synthetic.writers import csv_bytes, ods_bytes, unreadable_bytes, xlsx_bytes

Row = dict[str, object]

MANIFEST_NAME = "synthetic_manifest.json"
TRUTH_INTERVENTIONS = "truth_interventions.csv"
TRUTH_EXPENSES = "truth_expenses.csv"
TRUTH_PREFIX = ("partner_code", "period", "file_path", "row_number")
RESEND_PROBABILITY = 0.8
MAX_RESENDS = 3


@dataclass
class GeneratorConfig:
    seed: int = 7
    partners: int = 28  # P01..Pnn
    start_period: str = "2026-01"  # YYYY-MM
    months: int = 10
    rows_per_file: int = 60  # mean interventions per partner-month (times a 0.3x..2x factor)
    error_rate: float = 0.08  # a file has one injected error (rejected); a resend usually follows
    warning_rate: float = 0.10  # a file has one injected warning (still accepted)
    late_rate: float = 0.10  # a partner-month's first file arrives after the due date
    missing_rate: float = 0.04  # a partner-month has no file at all
    correction_rate: float = 0.05  # an accepted on-time file is later replaced by a correction
    unreadable_rate: float = 0.01  # a corrupt or empty file (rejected, file-level)
    error_kinds: tuple[str, ...] | None = None  # restrict injected error kinds (None = all)
    # share of POV episodes followed by a LAV04 placement and of CASA01 contributions
    # followed, a few months later, by another (0 = none: the drops of earlier versions)
    follow_up_paths: float = 0.0

    def periods(self) -> list[str]:
        return [shift(self.start_period, k) for k in range(self.months)]

    def check(self) -> None:
        y, m = period_parts(self.start_period)  # raises on a malformed period
        if not (1 <= m <= 12 and 1900 < y < 2200) or len(self.start_period) != 7:
            raise ValueError(f"start_period must be YYYY-MM, got {self.start_period!r}")
        if self.partners < 1 or self.months < 1 or self.rows_per_file < 1:
            raise ValueError("partners, months and rows_per_file must be positive")
        unknown = set(self.error_kinds or ()) - set(inj.ERROR_KINDS)
        if unknown:
            raise ValueError(f"unknown error kinds: {sorted(unknown)}")


@dataclass
class _File:
    name: str
    format: str
    tables: tuple[str, ...]
    arrival: datetime
    kind: str
    status: str
    issues: list[dict[str, object]]
    content: bytes
    truth: dict[str, list[tuple[int, Row]]] = field(default_factory=dict)


@dataclass
class _Draft:
    """A version's rows after its (carried) warning, before any error."""

    rows: list[Row]
    warnings: list[inj.Injected]
    identifier: str | None


class _Namer:
    """The partner's own file names; never the name of an earlier file of the month."""

    def __init__(self, habits: Habits, period: str) -> None:
        y, m = period_parts(period)
        p = habits.partner
        self.sep = " " if habits.name_style == 1 else "_"
        self.base = (
            f"rendiconto_{p}_{period}",
            f"Rendiconto {p} {MONTHS_IT[m - 1]} {y}",
            f"{p}_{y}{m:02d}_report",
        )[habits.name_style]
        self.used: set[str] = set()

    def name(self, kind: str, ext: str, table: str | None = None) -> str:
        stem = self.base + (f"{self.sep}{table}" if table else "")
        suffix = {
            "original": "",
            "resend_after_rejection": f"{self.sep}corretto",
            "correction": f"{self.sep}rettifica",
        }[kind]
        candidate, n = f"{stem}{suffix}.{ext}", 2
        while candidate.lower() in self.used:
            candidate = f"{stem}{suffix or self.sep + 'v'}{n}.{ext}"
            n += 1
        self.used.add(candidate.lower())
        return candidate


class _PartnerMonth:
    """Decides and renders every file one partner drops for one period."""

    def __init__(
        self, cfg: GeneratorConfig, habits: Habits, activity: PartnerActivity, period: str
    ) -> None:
        self.cfg, self.habits, self.activity, self.period = cfg, habits, activity, period
        self.rng = random.Random(f"{cfg.seed}:files:{habits.partner}:{period}")
        partner = reference.partners().get(habits.partner)
        self.partner_name = partner.name if partner else f"Ente partner {habits.partner[1:]}"
        y, m = period_parts(period)
        self.ctx = inj.Context(y, m)
        self.namer = _Namer(habits, period)
        self.files: list[_File] = []

    # -- rendering --------------------------------------------------------------------
    def _sheets(
        self, rows: list[Row], spese: list[Row] | None, identifier: str | None
    ) -> list[Sheet]:
        h = self.habits
        sheets = [interventi_sheet(rows, h, self.period, self.partner_name, identifier)]
        if spese is not None:
            sheets.append(spese_sheet(spese, h, self.period, self.partner_name))
        return sheets

    def _bytes(self, fmt: str, sheets: list[Sheet], arrival: datetime) -> bytes:
        if fmt == "xlsx":
            saved = datetime.fromtimestamp(int(arrival.timestamp()) - 600, UTC)
            return xlsx_bytes(sheets, saved.replace(tzinfo=None))
        if fmt == "ods":
            return ods_bytes(sheets)
        return csv_bytes(sheets[0])

    def _habit_issues(self, sheet: Sheet) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        if sheet.table == "interventi" and self.habits.note_column:
            out.append(
                _issue(
                    "warning",
                    inj.RULE_UNKNOWN_COLUMN,
                    sheet,
                    sheet.header_row,
                    NOTE_HEADER,
                    "habit",
                )
            )
        if sheet.table == "interventi" and sheet.name == "Foglio1":
            out.append(_issue("warning", inj.RULE_SHEET_FALLBACK, sheet, None, None, "habit"))
        return out

    # -- one file ---------------------------------------------------------------------
    def _unreadable(
        self, kind: str, arrival: datetime, rows: list[Row], spese: list[Row] | None
    ) -> _File:
        rng, h = self.rng, self.habits
        # One empty file per partner-month at most: two would be the very same bytes, which
        # the platform recognises as one drop (content hash) rather than two files.
        empty = rng.random() < 0.35 and not any(f.content == b"" for f in self.files)
        fmt = h.format
        if fmt == "csv" and not empty:
            fmt = "xlsx"  # a CSV partner's broken upload: an empty CSV or a cut-short workbook
        name = self.namer.name(kind, fmt, "interventi" if fmt == "csv" else None)
        if empty:
            content, rule = b"", "file_empty"
        else:
            sheets = self._sheets(rows, spese if fmt != "csv" else None, None)
            content, rule = (
                unreadable_bytes(rng, self._bytes(fmt, sheets, arrival)),
                "file_unreadable",
            )
        issue: dict[str, object] = {
            "severity": "error",
            "rule": rule,
            "sheet": None,
            "table": None,
            "row": None,
            "column": None,
            "origin": "injected",
        }
        return _File(name, fmt, (), arrival, kind, "rejected", [issue], content)

    def _submit(
        self,
        kind: str,
        arrival: datetime,
        rows: list[Row],
        spese: list[Row] | None,
        carried: _Draft | None,
    ) -> tuple[_File, _Draft | None]:
        """One file carrying the interventi table (and the spese sheet of a workbook)."""
        rng, cfg, h = self.rng, self.cfg, self.habits
        if rng.random() < cfg.unreadable_rate:
            return self._unreadable(kind, arrival, rows, spese), carried
        draft = carried
        if draft is None:
            draft = _Draft(list(rows), [], None)
            if rng.random() < cfg.warning_rate:
                found, header = inj.inject(
                    rng, draft.rows, self.ctx, inj.WARNING_KINDS, "warning", set()
                )
                if found is not None:
                    draft.warnings.append(found)
                    draft.identifier = header
        final = list(draft.rows)
        injected = list(draft.warnings)
        if rng.random() < cfg.error_rate:
            taken = {w.row_index for w in draft.warnings if w.row_index is not None}
            found, _ = inj.inject(
                rng, final, self.ctx, cfg.error_kinds or inj.ERROR_KINDS, "error", taken
            )
            if found is not None:
                injected.append(found)
        with_spese = spese if h.format != "csv" and h.spese_sheet else None
        sheets = self._sheets(final, with_spese, draft.identifier)
        sheet = sheets[0]
        found_issues = [
            # Header-level issues (an extra column) name the header row.
            _issue(
                i.severity,
                i.rule,
                sheet,
                sheet.header_row if i.row_index is None else sheet.row_number(i.row_index),
                sheet.headers[i.column] if i.column else None,
                "injected",
            )
            for i in injected
        ] + self._habit_issues(sheet)
        status = _status(found_issues)
        f = _File(
            self.namer.name(kind, h.format, "interventi" if h.format == "csv" else None),
            h.format,
            tuple(s.table for s in sheets),
            arrival,
            kind,
            status,
            found_issues,
            self._bytes(h.format, sheets, arrival),
        )
        if status != "rejected":
            f.truth = {
                s.table: [
                    (s.row_number(i), r)
                    for i, r in enumerate(final if s.table == "interventi" else with_spese or [])
                ]
                for s in sheets
            }
        return f, draft

    def _spese_csv(self, kind: str, arrival: datetime, spese: list[Row]) -> _File:
        sheet = spese_sheet(spese, self.habits, self.period, self.partner_name)
        f = _File(
            self.namer.name(kind, "csv", "spese"),
            "csv",
            ("spese",),
            arrival,
            kind,
            "accepted",
            [],
            csv_bytes(sheet),
        )
        f.truth = {"spese": [(sheet.row_number(i), r) for i, r in enumerate(spese)]}
        return f

    # -- the month --------------------------------------------------------------------
    def _chain(
        self, kind: str, arrival: datetime, rows: list[Row], spese: list[Row] | None
    ) -> _File | None:
        """A file, and resends while it is rejected; the accepted file, if any."""
        carried: _Draft | None = None
        for attempt in range(MAX_RESENDS + 1):
            f, carried = self._submit(kind, arrival, rows, spese, carried)
            self.files.append(f)
            if f.status != "rejected":
                return f
            if attempt == MAX_RESENDS or self.rng.random() >= RESEND_PROBABILITY:
                return None
            arrival = schedule.after(self.rng, arrival, 3 * 3600, 7 * 86400)
            kind = "resend_after_rejection"
        return None

    def run(self, rows: list[Row], spese: list[Row]) -> str:
        cfg, rng, is_csv = self.cfg, self.rng, self.habits.format == "csv"
        if rng.random() < cfg.missing_rate:
            return "missing"
        late = rng.random() < cfg.late_rate
        arrival = (
            schedule.late_arrival(rng, self.period)
            if late
            else schedule.on_time_arrival(rng, self.period)
        )
        accepted = self._chain("original", arrival, rows, spese)
        if accepted is not None and is_csv:
            # A CSV partner sends the spese file right after its accepted interventi file.
            self.files.append(
                self._spese_csv("original", schedule.after(rng, accepted.arrival, 60, 900), spese)
            )
        if (
            accepted is not None
            and accepted.arrival < schedule.deadline(self.period)
            and rng.random() < cfg.correction_rate
        ):
            last = max(f.arrival for f in self.files)
            arrival = schedule.after(rng, last, 2 * 86400, 30 * 86400)
            new_rows = rows + self.activity.extra_rows(rows, self.period, rng.randint(1, 3))
            new_rows = self._fix_an_amount(new_rows)
            new_spese = self._fix_spese(spese) if rng.random() < 0.3 else spese
            self._chain("correction", arrival, new_rows, new_spese)
            if is_csv and new_spese is not spese:
                self.files.append(
                    self._spese_csv("correction", schedule.after(rng, arrival, 60, 900), new_spese)
                )
        return schedule.calendar_status(
            [schedule.Delivered(f.arrival, f.status != "rejected", f.tables) for f in self.files],
            self.period,
        )

    def _fix_an_amount(self, rows: list[Row]) -> list[Row]:
        monetary = [
            i
            for i, r in enumerate(rows)
            if reference.services()[str(r["tipo_intervento"])].monetary
        ]
        if not monetary or self.rng.random() < 0.5:
            return rows
        rows = list(rows)
        i = self.rng.choice(monetary)
        rows[i] = {**rows[i], "importo_euro": amount(self.rng, str(rows[i]["tipo_intervento"]))}
        return rows

    def _fix_spese(self, spese: list[Row]) -> list[Row]:
        out = list(spese)
        i = self.rng.randrange(len(out))
        line = out[i]
        total = (
            Decimal(str(line["importo_totale"]))
            * Decimal(str(round(self.rng.uniform(0.8, 1.2), 3)))
        ).quantize(Decimal("0.01"))
        share = Decimal(str(line["quota_cofinanziamento"])) / Decimal(str(line["importo_totale"]))
        out[i] = {
            **line,
            "importo_totale": total,
            "quota_cofinanziamento": (total * share).quantize(Decimal("0.01")),
        }
        return out


def _issue(
    severity: str, rule: str, sheet: Sheet, row: int | None, column: str | None, origin: str
) -> dict[str, object]:
    return {
        "severity": severity,
        "rule": rule,
        "sheet": sheet.name,
        "table": sheet.table,
        "row": row,
        "column": column,
        "origin": origin,
    }


def _status(found: list[dict[str, object]]) -> str:
    if any(i["severity"] == "error" for i in found):
        return "rejected"
    return "accepted_with_warnings" if found else "accepted"


def truth_value(column: str, value: object) -> str:
    """A canonical value as the truth CSVs write it."""
    if value is None:
        return ""
    if column == "codice_fiscale":
        return normalise(str(value))
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _check_outside(inbox: Path, target: Path) -> None:
    if target.resolve().is_relative_to(inbox.resolve()):
        raise ValueError(f"{target} is inside the inbox {inbox}: the truth stays outside it")


def generate(inbox: Path, config: GeneratorConfig, manifest_path: Path | None = None) -> dict:
    """Write the synthetic drops into `inbox`; return (and write) the manifest."""
    config.check()
    inbox = Path(inbox)
    manifest_path = Path(manifest_path) if manifest_path else inbox.parent / MANIFEST_NAME
    _check_outside(inbox, manifest_path)
    inbox.mkdir(parents=True, exist_ok=True)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    codes = [f"P{i:02d}" for i in range(1, config.partners + 1)]
    habits = draw_habits(config.seed, codes)
    pool = PeoplePool(random.Random(f"{config.seed}:people"))
    activities = {
        c: PartnerActivity(habits[c], pool, config.seed, config.follow_up_paths) for c in codes
    }
    files_out: list[dict[str, object]] = []
    months_out: list[dict[str, object]] = []
    i_cols = [c.name for c in INTERVENTI]
    s_cols = [c.name for c in SPESE]
    truth_i_path = manifest_path.parent / TRUTH_INTERVENTIONS
    truth_s_path = manifest_path.parent / TRUTH_EXPENSES
    with (
        truth_i_path.open("w", encoding="utf-8", newline="") as ti,
        truth_s_path.open("w", encoding="utf-8", newline="") as ts,
    ):
        wi, ws = csv.writer(ti, lineterminator="\n"), csv.writer(ts, lineterminator="\n")
        wi.writerow([*TRUTH_PREFIX, *i_cols])
        ws.writerow([*TRUTH_PREFIX, *s_cols])
        for period in config.periods():
            for code in codes:
                act = activities[code]
                rows = act.month(period, config.rows_per_file)
                spese = act.expenses(period)
                pm = _PartnerMonth(config, habits[code], act, period)
                status = pm.run(rows, spese)
                months_out.append(
                    {
                        "partner": code,
                        "period": period,
                        "due_date": schedule.due_date(period).isoformat(),
                        "expected_calendar_status": status,
                        "files": len(pm.files),
                    }
                )
                folder = inbox / code / period
                ordered = sorted(pm.files, key=lambda f: f.arrival)
                if ordered:
                    folder.mkdir(parents=True, exist_ok=True)
                for seq, f in enumerate(ordered, 1):
                    path = folder / f.name
                    path.write_bytes(f.content)
                    stamp = int(f.arrival.timestamp())
                    os.utime(path, (stamp, stamp))
                    files_out.append(
                        {
                            "partner": code,
                            "period": period,
                            "path": f"{code}/{period}/{f.name}",
                            "format": f.format,
                            "table_files": list(f.tables),
                            "arrival": f.arrival.isoformat(),
                            "sequence": seq,
                            "kind": f.kind,
                            "expected_status": f.status,
                            "issues": f.issues,
                        }
                    )
                for table, writer, cols in (("interventi", wi, i_cols), ("spese", ws, s_cols)):
                    latest = [f for f in ordered if table in f.truth]
                    if not latest:
                        continue
                    f = latest[-1]
                    for row_number, r in f.truth[table]:
                        writer.writerow(
                            [
                                code,
                                period,
                                f"{code}/{period}/{f.name}",
                                row_number,
                                *(truth_value(c, r[c]) for c in cols),
                            ]
                        )
    files_out.sort(key=lambda f: (str(f["partner"]), str(f["period"]), int(str(f["sequence"]))))
    months_out.sort(key=lambda m: (str(m["partner"]), str(m["period"])))
    cfg = dataclasses.asdict(config)
    cfg["error_kinds"] = list(config.error_kinds) if config.error_kinds else None
    manifest = {
        "config": cfg,
        "timezone": str(schedule.timezone()),
        "truth": {"interventions": TRUTH_INTERVENTIONS, "expenses": TRUTH_EXPENSES},
        "files": files_out,
        "partner_months": months_out,
        "partners": {
            c: {"format": habits[c].format, "areas": list(habits[c].areas)} for c in codes
        },
        "people": {
            **pool.summary(),
            "anonymous_contacts": sum(len(a.anon) for a in activities.values()),
        },
    }
    manifest_path.write_text(
        json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest
