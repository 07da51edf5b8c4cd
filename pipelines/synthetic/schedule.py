"""When files arrive: due dates, on-time and late arrivals, the calendar status."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipelines.period import ROME, deadline, due_date

__all__ = ["deadline", "due_date"]  # the platform's own, re-used by the generator

# Relative weight of each hour of the day for an upload (office hours mostly).
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 5, 20, 20, 20, 20, 15, 15, 20, 20, 20, 20, 10, 8, 6, 4, 3, 2)


def timezone() -> ZoneInfo:
    return ROME


def _local(day: date, rng: random.Random, hour: int | None = None) -> datetime:
    if hour is None:
        hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
    naive = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59))
    # Through a timestamp: local times skipped by the DST change become real instants.
    return datetime.fromtimestamp(naive.replace(tzinfo=timezone()).timestamp(), timezone())


def on_time_arrival(rng: random.Random, period: str) -> datetime:
    due = due_date(period)
    if rng.random() < 0.04:  # the last minutes of the due day
        return _local(due, rng, 23)
    return _local(due.replace(day=rng.randint(1, due.day)), rng)


def late_arrival(rng: random.Random, period: str) -> datetime:
    due = due_date(period)
    if rng.random() < 0.08:  # just after midnight
        return _local(due + timedelta(days=1), rng, 0)
    return _local(due + timedelta(days=rng.randint(1, 20)), rng)


def after(rng: random.Random, t: datetime, low_seconds: int, high_seconds: int) -> datetime:
    return datetime.fromtimestamp(
        int(t.timestamp()) + rng.randint(low_seconds, high_seconds), timezone()
    )


@dataclass(frozen=True)
class Delivered:
    arrival: datetime
    accepted: bool
    tables: tuple[str, ...]


def calendar_status(files: Sequence[Delivered], period: str) -> str:
    """interfaces.md's status, evaluated once every due date has passed (never `not_due`).

    `corrected`: the first accepted file was on time and a later accepted file delivers a
    table that an earlier accepted file had already delivered (it replaces that table).
    """
    if not files:
        return "missing"
    accepted = sorted((f for f in files if f.accepted), key=lambda f: f.arrival)
    if not accepted:
        return "rejected"
    if accepted[0].arrival >= deadline(period):
        return "late"
    seen: set[str] = set()
    for f in accepted:
        if seen.intersection(f.tables):
            return "corrected"
        seen.update(f.tables)
    return "on_time"
