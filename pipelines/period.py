"""Reporting months (`YYYY-MM`), their due dates and "the last month that has ended": the one
home of month arithmetic. (Their Italian names are formats: `pipelines/formats.py`.)

A partner-month is due by the due day of the following month (`OSSERVATORIO_DUE_DAY`, else
the reporting calendar seed), Europe/Rome time.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
ROME = ZoneInfo("Europe/Rome")


def parts(period: str) -> tuple[int, int]:
    """`2026-03` -> (2026, 3); raises ValueError on anything else."""
    if not PERIOD_RE.match(period):
        raise ValueError(f"not a YYYY-MM period: {period!r}")
    return int(period[:4]), int(period[5:7])


def of(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift(period: str, months: int) -> str:
    """The period `months` later (earlier when negative)."""
    y, m = parts(period)
    n = y * 12 + (m - 1) + months
    return of(n // 12, n % 12 + 1)


def following(period: str) -> str:
    return shift(period, 1)


def previous(period: str) -> str:
    return shift(period, -1)


def span(first: str, last: str) -> list[str]:
    """Every period from `first` through `last` (empty when last < first)."""
    out: list[str] = []
    p = first
    while p <= last:
        out.append(p)
        p = following(p)
    return out


def before(period: str, n: int) -> list[str]:
    """The `n` periods before `period`, latest first."""
    return [shift(period, -k) for k in range(1, n + 1)]


def first_day(period: str) -> dt.date:
    y, m = parts(period)
    return dt.date(y, m, 1)


def of_date(day: dt.date) -> str:
    return of(day.year, day.month)


def due_day() -> int:
    """The day of the following month a report is due by (settings or the calendar seed)."""
    from pipelines import reference

    return int(
        os.environ.get("OSSERVATORIO_DUE_DAY", "") or reference.calendar_settings()["due_day"]
    )


def due_date(period: str, day: int | None = None) -> dt.date:
    """The due date of a period's report: `day` (default `due_day()`) of the next month."""
    return first_day(following(period)).replace(day=day or due_day())


def deadline(period: str, day: int | None = None) -> dt.datetime:
    """The first instant that is late: midnight after the due day, Rome time."""
    d = due_date(period, day) + dt.timedelta(days=1)
    return dt.datetime(d.year, d.month, d.day, tzinfo=ROME)


def last_ended(as_of: dt.date, cap: str | None = None) -> str:
    """The last month that has ended on `as_of` (the month before it), capped at `cap`."""
    p = previous(of_date(as_of))
    return min(p, cap) if cap else p


def due_by(first: str, last: str, as_of: dt.date, day: int | None = None) -> list[str]:
    """The periods from `first` through `last` whose due date is before `as_of`."""
    return [p for p in span(first, last) if due_date(p, day) < as_of]
