"""After an upload or an approval the worker records the new files (`ingest`) and rebuilds
the calendar (`build_warehouse`): one background thread per process starts `pipelines.portal.record`
in a child process at a lower priority (validation and dbt would otherwise take the CPU, and
the GIL, from the uploads). Requests coalesce: many uploads while a run is going make one
more run, not many. Concurrent runs in other processes
(other workers, the Dagster sensor, the CLI) wait for the writer lock; the ledger's content
hash makes sure a file is recorded once."""

from __future__ import annotations

import logging
import subprocess
import sys
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
            _run(build_now)
        except Exception:
            log.exception("portal: background ingest/build failed")


def _run(build_now: bool) -> None:
    # ingest always runs first: it is cheap when nothing is new, and held files of a reopened
    # month are applied by it
    cmd = [sys.executable, "-m", "pipelines.portal.record", *(["--build"] if build_now else [])]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log.error(
            "portal: background ingest/build failed (exit %d): %s",
            done.returncode,
            done.stderr[-2000:],
        )
