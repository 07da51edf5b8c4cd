"""The months a partner can report on: the partnership's months up to the current one."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from pipelines import formats, period
from pipelines.period import PERIOD_RE
from pipelines.settings import Settings


def open_periods(settings: Settings, today: dt.date | None = None) -> list[str]:
    last = min(settings.end_period, period.of_date(today or dt.date.today()))
    return period.span(settings.start_period, last)


def checked_period(settings: Settings, p: str) -> str:
    if not PERIOD_RE.match(p) or p not in open_periods(settings):
        raise Http404
    return p


def label(p: str) -> str:
    return formats.month(p)
