"""One evaluation of the alerts: what `osservatorio alerts`, the daily Dagster schedule, the
run failure sensor and the tests all call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from pipelines import period
from pipelines.alerting import config as config_mod
from pipelines.alerting import facts as facts_mod
from pipelines.alerting import rules
from pipelines.alerting.delivery import Delivery, deliver
from pipelines.settings import Settings
from pipelines.workspace import Workspace


def today(settings: Settings) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


def cutoff(as_of: dt.date, settings: Settings) -> dt.datetime:
    """The first instant after the day, local time: what arrived before it is known."""
    nxt = as_of + dt.timedelta(days=1)
    return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=ZoneInfo(settings.timezone))


def coverage_notes(facts: facts_mod.Facts, as_of: dt.date, settings: Settings) -> list[str]:
    """Say so when the warehouse was built before the last month ended (no reminders for it)."""
    last_month = min(period.last_ended(as_of), settings.end_period)
    if facts.last_calendar_period and facts.last_calendar_period < last_month:
        return [
            f"the submission calendar ends at {facts.last_calendar_period}: the warehouse "
            f"was built before {last_month} ended, so its reminders wait for a build"
        ]
    return []


def run_alerts(
    settings: Settings,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    config: config_mod.AlertConfig | None = None,
) -> Delivery:
    """Evaluate every rule as of the day (default today, Europe/Rome) and deliver what is new."""
    config = config or config_mod.load()
    as_of = as_of or today(settings)
    ws = Workspace(settings.home)
    if not (ws.published / "warehouse.duckdb").exists():
        return deliver(
            [],
            settings,
            config,
            as_of,
            dry_run=dry_run,
            notes=["no warehouse has been built yet: nothing to evaluate"],
        )
    facts = facts_mod.load(ws, cutoff(as_of, settings))
    alerts = rules.alerts_due(facts, as_of, config)
    return deliver(
        alerts,
        settings,
        config,
        as_of,
        dry_run=dry_run,
        notes=coverage_notes(facts, as_of, settings),
    )


def run_failure(
    settings: Settings,
    job: str,
    run_id: str,
    steps: Iterable[str],
    errors: Iterable[str],
    failed_checks: Iterable[tuple[str, str]] = (),
    config: config_mod.AlertConfig | None = None,
) -> Delivery:
    """Tell the steward that a pipeline run failed (and which blocking checks failed in it)."""
    config = config or config_mod.load()
    alerts = rules.run_failure_alerts(job, run_id, steps, errors, failed_checks)
    return deliver(alerts, settings, config, today(settings))
