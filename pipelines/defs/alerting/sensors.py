"""Every failed run of the code location, and the blocking checks that failed in it, to the
steward (an alert per run, delivered once)."""

from __future__ import annotations

import dagster as dg

from pipelines import settings as settings_mod
from pipelines.alerting.config import RUN_FAILURE_SENSOR_INTERVAL_SECONDS
from pipelines.alerting.run import run_failure

# Error messages may quote data; only these, written for operators, reach an e-mail.
SAFE_MESSAGES = ("SettingsError",)


def failed_blocking_checks(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    out = []
    for record in records:
        event = record.event_log_entry.dagster_event
        evaluation = event.asset_check_evaluation_data if event else None
        if evaluation is None or evaluation.passed:
            continue
        if evaluation.blocking or evaluation.severity == dg.AssetCheckSeverity.ERROR:
            out.append((evaluation.asset_key.to_user_string(), evaluation.check_name))
    return out


def _message(text: str, cls_name: str | None) -> str:
    """`module.Class: message` (as Dagster records it) -> `message`."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    head, sep, rest = first.partition(": ")
    return rest if sep and cls_name and head.endswith(cls_name) else first


def step_errors(context: dg.RunFailureSensorContext) -> tuple[list[str], list[str]]:
    steps, errors = [], []
    for event in context.get_step_failure_events():
        steps.append(event.step_key or "?")
        error = event.step_failure_data.error if event.step_failure_data else None
        if error is not None:
            cause = error.cause or error  # the user code's exception, under Dagster's
            errors.append(
                f"{cause.cls_name}: {_message(cause.message, cause.cls_name)}"
                if cause.cls_name in SAFE_MESSAGES
                else str(cause.cls_name)
            )
    return steps, errors


@dg.run_failure_sensor(
    name="run_failure_alerts",
    minimum_interval_seconds=RUN_FAILURE_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Any failed run (every job): an alert to the steward, with "
    "the blocking checks that failed in it.",
)
def run_failure_alerts(context: dg.RunFailureSensorContext) -> None:
    # Returning nothing lets Dagster handle every failed run of the tick and mark each as
    # reported; what happened goes to the tick's log (the UI shows it).
    run = context.dagster_run
    steps, errors = step_errors(context)
    result = run_failure(
        settings_mod.load(),
        run.job_name,
        run.run_id,
        steps,
        errors,
        failed_blocking_checks(context.instance, run.run_id),
    )
    for note in result.notes:
        context.log.warning(note)
    context.log.info(f"run {run.run_id[:8]} of {run.job_name} failed: {result.summary()}")
