"""The monthly official build, the day after the due day (Europe/Rome)."""

from __future__ import annotations

import dagster as dg

from pipelines import period, reference
from pipelines.defs.warehouse.jobs import build_job

DUE_DAY = period.due_day()

monthly_official_build = dg.ScheduleDefinition(
    name="monthly_official_build",
    job=build_job,
    cron_schedule=f"0 6 {min(DUE_DAY + 1, 28)} * *",
    execution_timezone=reference.calendar_settings()["timezone"],
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The month's official figures and report, once every partner's report was due.",
)
