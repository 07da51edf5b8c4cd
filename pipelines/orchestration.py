"""Running the Dagster jobs from the command line (demo) on the same definitions."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

# What each step of the main job does, for a person watching the demo.
STEP_LABELS = {
    "raw_tables": "ingestion and validation",
    "warehouse_models": "warehouse models and tests (dbt)",
    "published__warehouse": "disclosure control and the analysts' copy",
}


class _Progress(logging.Handler):
    """One line per step of the run: what it was and how long it took."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(logging.DEBUG)
        self.out = out
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        if event is None or not event.step_key:
            return
        kind, step = event.event_type_value, event.step_key
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            took = time.monotonic() - self.started.get(step, time.monotonic())
            name = step.split(".")[-1]
            label = next((v for k, v in STEP_LABELS.items() if name.startswith(k)), name)
            mark = "done" if kind == "STEP_SUCCESS" else "FAILED"
            self.out.write(f"  {label}: {mark} ({took:.0f} s)\n")
            self.out.flush()


@contextlib.contextmanager
def _output_to(log_file: Path) -> Iterator[TextIO]:
    """Everything the run and its subprocesses print (dbt's log lines, Dagster's own) goes to
    `log_file`; the stream yielded is the terminal, for the progress lines."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    with open(log_file, "a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            terminal.close()


def run_main_job(
    job_name: str = "ingest_and_build", log_level: str = "WARNING", log_file: Path | None = None
) -> bool:
    """Execute a job in this process; recorded in DAGSTER_HOME when set (the UI shows it).

    With `log_file`, the run's output goes there and the terminal gets one line per step."""
    if log_file is None:
        return _execute(job_name, {"console": {"config": {"log_level": log_level}}})
    with _output_to(log_file) as terminal:
        return _execute(
            job_name, {"console": {"config": {"log_level": "INFO"}}}, _Progress(terminal)
        )


def _execute(job_name: str, loggers: dict, progress: _Progress | None = None) -> bool:
    import dagster as dg

    from pipelines.definitions import defs

    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    job = defs().resolve_job_def(job_name)
    if progress is not None:

        @dg.logger
        def progress_logger(_init) -> logging.Logger:  # type: ignore[no-untyped-def]
            out = logging.Logger("osservatorio.progress", level=logging.DEBUG)
            out.addHandler(progress)
            return out

        job = job.with_logger_defs({**dg.default_loggers(), "progress": progress_logger})
        loggers = {**loggers, "progress": {}}
    result = job.execute_in_process(
        instance=instance, raise_on_error=False, run_config={"loggers": loggers}
    )
    return result.success
