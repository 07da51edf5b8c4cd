"""Running the Dagster jobs from the command line (demo) on the same definitions."""

from __future__ import annotations

import os


def run_main_job(job_name: str = "ingest_and_build", log_level: str = "WARNING") -> bool:
    """Execute a job in this process; recorded in DAGSTER_HOME when set (the UI shows it)."""
    import dagster as dg

    from pipelines.definitions import defs

    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else \
        dg.DagsterInstance.ephemeral()
    result = defs().resolve_job_def(job_name).execute_in_process(
        instance=instance, raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}})
    return result.success
