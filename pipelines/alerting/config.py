"""Every threshold and cadence of the alerts, in one place.

Defaults live here; the few that operators tune come from the environment:
`OSSERVATORIO_ALERT_LANGUAGE` (`en` or `it`: the steward's messages; partners always read
Italian), `OSSERVATORIO_ALERT_REMINDER_DAYS` (days before the due date) and
`OSSERVATORIO_ALERT_STALE_DAYS` (days without accepted data).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pipelines.settings import SettingsError

# Cadence of the Dagster wiring (pipelines/defs/alerting): the rules are evaluated once a
# day in the morning, local time; the failure sensor looks for failed runs this often.
DAILY_ALERTS_CRON = "0 7 * * *"
RUN_FAILURE_SENSOR_INTERVAL_SECONDS = 30

LANGUAGES = ("en", "it")


@dataclass(frozen=True)
class AlertConfig:
    language: str = "en"  # the steward's messages
    # reminder_due_soon: from this many days before the due date, when nothing has arrived
    reminder_days: int = 3
    # report_missing: after the due date, again every `missing_repeat_days`, at most
    # `missing_max_reminders` times (then the calendar, `osservatorio status`, says it)
    missing_repeat_days: int = 7
    missing_max_reminders: int = 8
    # file_rejected: rejected files received in the last days and not yet followed by an
    # accepted file; rejected_repeatedly: that many rejections in a row of one partner-month
    rejection_lookback_days: int = 30
    rejections_for_steward: int = 2
    # anomaly: a partner's monthly figure per area against its own previous months
    anomaly_history_months: int = 6
    anomaly_min_history: int = 4
    anomaly_threshold: float = 3.5  # robust z-score: |x - median| / (1.4826 * MAD)
    anomaly_min_relative_scale: float = 0.10  # the scale is at least 10% of the median
    anomaly_min_change: dict[str, float] = field(
        default_factory=lambda: {"interventions": 5, "persons": 5, "amount_eur": 1000}
    )
    anomaly_lookback_days: int = 45  # periods whose due date is at most this far behind
    # ready_to_approve: periods due at most this many days ago with months not yet approved
    approval_lookback_days: int = 120
    # data_stale: no accepted file for the whole partnership for this many days
    stale_days: int = 30


def _int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number of days, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def load() -> AlertConfig:
    language = os.environ.get("OSSERVATORIO_ALERT_LANGUAGE", "").strip().lower() or "en"
    if language not in LANGUAGES:
        raise SettingsError("OSSERVATORIO_ALERT_LANGUAGE must be en or it")
    return AlertConfig(
        language=language,
        reminder_days=_int("OSSERVATORIO_ALERT_REMINDER_DAYS", 3, 0),
        stale_days=_int("OSSERVATORIO_ALERT_STALE_DAYS", 30, 1),
    )
