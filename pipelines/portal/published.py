"""What the portal reads from the published copy of the warehouse (read-only, swapped whole
after each build, so reading it never blocks a writer): the calendar, the recorded files,
the indicator values. No published copy yet: empty answers."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from pipelines.alerting import calendar
from pipelines.settings import Settings

STATUS_IT = {
    "on_time": "nei tempi",
    "corrected": "corretto",
    "late": "in ritardo",
    "rejected": "respinto",
    "held": "in attesa (mese chiuso)",
    "missing": "mancante",
    "not_due": "non ancora dovuto",
    "accepted": "accettato",
    "accepted_with_warnings": "accettato con avvisi",
}


def path(settings: Settings) -> Path:
    return settings.home / "published" / "warehouse.duckdb"


_CACHED_QUERIES = 256
_cache_lock = threading.Lock()
_query_cache: dict[tuple[str, int, str, tuple], list[tuple]] = {}


def _query(settings: Settings, sql: str, params: list[Any]) -> list[tuple]:
    """A query of the published copy, answered once per published version."""
    import duckdb

    db = path(settings)
    try:
        key = (str(db), db.stat().st_mtime_ns, sql, tuple(params))
    except FileNotFoundError:
        return []
    with _cache_lock:
        if key in _query_cache:
            return _query_cache[key]
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    with _cache_lock:
        if len(_query_cache) >= _CACHED_QUERIES or any(k[1] != key[1] for k in _query_cache):
            _query_cache.clear()
        _query_cache[key] = rows
    return rows


_calendar_cache: dict[tuple[str, int], list[dict]] = {}


def calendar_rows(settings: Settings, partner: str | None = None) -> list[dict]:
    """The calendar of the published copy, read once per published version (the copy is
    replaced whole by each build, so its modification time names the version)."""
    db = path(settings)
    try:
        key = (str(db), db.stat().st_mtime_ns)
    except FileNotFoundError:
        return []
    rows = _calendar_cache.get(key)
    if rows is None:
        rows = calendar.load(db)
        _calendar_cache.clear()
        _calendar_cache[key] = rows
    return [dict(r) for r in rows if partner is None or r["partner"] == partner]


def submissions(
    settings: Settings,
    partner: str | None = None,
    period: str | None = None,
    statuses: tuple[str, ...] = (),
) -> list[dict]:
    """Recorded files (any channel), newest first."""
    sql = (
        "select submission_id, partner_code, period, file_name, sha256, received_at, "
        "version, status, rows_read, errors, warnings from marts.submissions where true"
    )
    params: list[Any] = []
    if partner:
        sql += " and partner_code = ?"
        params.append(partner)
    if period:
        sql += " and period = ?"
        params.append(period)
    if statuses:
        sql += f" and status in ({', '.join('?' for _ in statuses)})"
        params.extend(statuses)
    rows = _query(settings, sql + " order by received_at desc, submission_id", params)
    keys = (
        "submission_id",
        "partner",
        "period",
        "file_name",
        "sha256",
        "received_at",
        "version",
        "status",
        "rows_read",
        "errors",
        "warnings",
    )
    return [dict(zip(keys, r, strict=True)) for r in rows]


def submission(settings: Settings, submission_id: str) -> dict | None:
    found = [s for s in submissions(settings) if s["submission_id"] == submission_id]
    return found[0] if found else None


def indicator_values(settings: Settings, period: str | None) -> tuple[list[str], list[dict]]:
    """The periods available and that period's published values (display values only)."""
    periods = [
        r[0]
        for r in _query(
            settings, "select distinct period from marts.indicator_values order by period desc", []
        )
    ]
    if not periods:
        return [], []
    chosen = period if period in periods else periods[0]
    rows = _query(
        settings,
        (
            'select indicator_code, scope, scope_code, "window", display_value, is_final '
            "from marts.indicator_values where period = ? "
            'order by indicator_code, scope, scope_code, "window"'
        ),
        [chosen],
    )
    keys = ("indicator", "scope", "scope_code", "window", "display_value", "is_final")
    return periods, [dict(zip(keys, r, strict=True)) | {"period": chosen} for r in rows]


def local_time(value: dt.datetime | str | None) -> str:
    if value is None:
        return ""
    t = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return f"{t.astimezone(calendar.TIMEZONE):%d/%m/%Y %H:%M}"
