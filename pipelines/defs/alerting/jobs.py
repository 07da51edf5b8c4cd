"""The daily evaluation of the alert rules as a job: its runs, logs and metadata in the UI."""

# No `from __future__ import annotations`: Dagster reads the op's config and resource types.
import datetime as dt

import dagster as dg

from pipelines.alerting.run import run_alerts
from pipelines.defs.resources import OsservatorioSettings


class AlertsConfig(dg.Config):
    as_of: str = ""  # YYYY-MM-DD (Europe/Rome); empty: today


@dg.op(
    description="Evaluate every alert rule as of the day and deliver what is new "
    "(e-mail, or the alert log only without SMTP settings)."
)
def deliver_alerts(
    context: dg.OpExecutionContext, config: AlertsConfig, osservatorio: OsservatorioSettings
) -> dg.Output[str]:
    as_of = dt.date.fromisoformat(config.as_of) if config.as_of else None
    result = run_alerts(osservatorio.load(), as_of)
    for note in result.notes:
        context.log.warning(note)
    if result.count("failed"):
        raise dg.Failure(
            description=f"some alerts could not be sent: {result.summary()}",
            metadata=result.metadata(),
        )
    return dg.Output(result.summary(), metadata=result.metadata())


@dg.job(
    executor_def=dg.in_process_executor,
    description="Evaluate the alert rules (reminders, missing and rejected reports, "
    "anomalies, staleness) and deliver the new alerts.",
)
def evaluate_alerts() -> None:
    deliver_alerts()
