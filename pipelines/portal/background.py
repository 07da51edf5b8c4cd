"""After an upload or an approval the worker records the new files (`ingest`) and rebuilds
the calendar (`run_build`) in one background thread per process. Requests coalesce: many
uploads while a run is going make one more run, not many. Concurrent runs in other processes
(other workers, the Dagster sensor, the CLI) wait for the writer lock; the ledger's content
hash makes sure a file is recorded once."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

_lock = threading.Lock()
_state = {"pending": False, "build": False}
_thread: threading.Thread | None = None
_idle = threading.Event()
_idle.set()


def request_run(build_only: bool = False) -> None:
    global _thread
    with _lock:
        _state["build" if build_only else "pending"] = True
        _idle.clear()
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="portal-ingest", daemon=True)
            _thread.start()


def wait_idle(timeout: float) -> bool:
    """For tests and the benchmark: wait until nothing is pending or running."""
    return _idle.wait(timeout)


def _loop() -> None:
    while True:
        with _lock:
            ingest_now, build_now = _state["pending"], _state["build"]
            if not ingest_now and not build_now:
                _idle.set()
                return
            _state["pending"] = _state["build"] = False
        try:
            _run(ingest_now, build_now)
        except Exception:
            log.exception("portal: background ingest/build failed")


def _run(ingest_now: bool, build_now: bool) -> None:
    from pipelines import settings as settings_mod
    from pipelines.ingest import ingest
    from pipelines.warehouse.dbt import run_build

    settings = settings_mod.load()
    changed = False
    if ingest_now:
        summary = ingest(settings)
        changed = summary.changed
        log.info("portal: recorded %d new files", summary.new)
    if changed or build_now:
        run_build(settings)
