"""The daily alerts, in the morning, Europe/Rome (cadence: pipelines/alerting/config.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dagster as dg

from pipelines import reference
from pipelines.alerting.config import DAILY_ALERTS_CRON
from pipelines.defs.alerting.jobs import evaluate_alerts

TIMEZONE = reference.calendar_settings()["timezone"]


@dg.schedule(
    job=evaluate_alerts,
    cron_schedule=DAILY_ALERTS_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning: reminders, missing and rejected reports, anomalies "
    "and staleness, each alert delivered once.",
)
def daily_alerts(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    day = context.scheduled_execution_time.astimezone(ZoneInfo(TIMEZONE)).date().isoformat()
    return dg.RunRequest(
        run_key=f"alerts-{day}", run_config={"ops": {"deliver_alerts": {"config": {"as_of": day}}}}
    )
