"""One writer at a time: DuckDB lets a single process write the warehouse, so every writer
(ingestion, the dbt build, publishing) takes this lock first and waits its turn instead of
failing half-way. The operating system releases it if the holder dies, even by SIGKILL."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


@contextmanager
def writer_lock(home: Path, timeout_seconds: float = 3600) -> Iterator[None]:
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".warehouse.lock").open("a") as fh:
        deadline = time.monotonic() + timeout_seconds
        waited = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        "another writer has held the warehouse for too long"
                    ) from None
                if not waited:
                    log.info("warehouse busy: waiting for the other writer to finish")
                    waited = True
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
