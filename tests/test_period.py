"""Months, due dates and the last month that has ended: the period module."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines import period


def test_shift_across_years() -> None:
    assert period.following("2026-12") == "2027-01"
    assert period.previous("2026-01") == "2025-12"
    assert period.shift("2026-03", -15) == "2024-12"
    assert period.shift("2026-03", 24) == "2028-03"
    assert period.span("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert period.span("2026-03", "2026-02") == []
    assert period.before("2026-02", 3) == ["2026-01", "2025-12", "2025-11"]


def test_malformed_periods_are_refused() -> None:
    for bad in ("2026-13", "2026-1", "marzo", "2026-00"):
        with pytest.raises(ValueError):
            period.parts(bad)


def test_due_dates_and_the_last_month_that_has_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OSSERVATORIO_DUE_DAY", raising=False)
    assert period.due_date("2026-12") == dt.date(2027, 1, 10)  # the seed's 10th
    monkeypatch.setenv("OSSERVATORIO_DUE_DAY", "15")
    assert period.due_date("2026-03") == dt.date(2026, 4, 15)
    assert period.deadline("2026-03", 10).isoformat() == "2026-04-11T00:00:00+02:00"
    assert period.last_ended(dt.date(2026, 1, 1)) == "2025-12"
    assert period.last_ended(dt.date(2026, 5, 31), cap="2026-03") == "2026-03"
    assert period.due_by("2026-01", "2026-12", dt.date(2026, 3, 11), 10) == ["2026-01", "2026-02"]
    assert period.due_by("2026-01", "2026-12", dt.date(2026, 3, 10), 10) == ["2026-01"]
