"""The warehouse follows ingestion: every successful ingestion run requests an update of
the warehouse (dbt, the disclosure control, the published copy) in a run of its own, so a
partner's feedback does not wait for the build. A build with nothing changed does nothing
(`BuildPlan.up_to_date`)."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.warehouse.jobs import ingest_job, update_job

AFTER_INGEST_INTERVAL_SECONDS = 5


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=update_job,
    minimum_interval_seconds=AFTER_INGEST_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After each successful ingestion run, rebuild and publish the warehouse.",
)
def build_after_ingest(context: dg.RunStatusSensorContext):
    # one update per ingestion run, however often the sensor is evaluated
    return dg.RunRequest(run_key=f"after-{context.dagster_run.run_id}")
