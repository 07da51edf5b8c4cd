"""The months a partner can report on: the partnership's months up to the current one."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from pipelines.settings import PERIOD_RE, Settings
from pipelines.validation.feedback import month_it


def open_periods(settings: Settings, today: dt.date | None = None) -> list[str]:
    today = today or dt.date.today()
    last = min(settings.end_period, f"{today.year:04d}-{today.month:02d}")
    out = []
    y, m = int(settings.start_period[:4]), int(settings.start_period[5:])
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def checked_period(settings: Settings, period: str) -> str:
    if not PERIOD_RE.match(period) or period not in open_periods(settings):
        raise Http404
    return period


def label(period: str) -> str:
    return month_it(period)
