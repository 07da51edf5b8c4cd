"""The check of an uploaded file, batched: GX costs about a second per validation pass
whatever its size, and one pass validates many files (as ingestion does), so uploads that
arrive while a check is running are checked together in the next pass. Each file's verdict
is the one `evaluate` gives it alone; one pass at a time per process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pipelines.ingestion.inbox import Drop
from pipelines.settings import Settings
from pipelines.validation.evaluate import FileVerdict, evaluate


@dataclass
class _Batch:
    drops: list[Drop] = field(default_factory=list)
    verdicts: list[FileVerdict] = field(default_factory=list)
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


_joining = threading.Lock()  # guards `_open` and `_arriving`
_passing = threading.Lock()  # one validation pass at a time
_open: _Batch | None = None
_arriving = 0  # uploads still being received: a new pass waits a moment for them
GATHER_SECONDS = 0.5


@contextmanager
def arriving() -> Iterator[None]:
    """Around receiving an upload's bytes, so that a pass about to start waits for it."""
    global _arriving
    with _joining:
        _arriving += 1
    try:
        yield
    finally:
        with _joining:
            _arriving -= 1


def _gather() -> None:
    deadline = time.monotonic() + GATHER_SECONDS
    while _arriving > 0 and time.monotonic() < deadline:
        time.sleep(0.02)


def check(drop: Drop, settings: Settings) -> FileVerdict:
    global _open
    with _joining:
        leader = _open is None
        if leader:
            _open = _Batch()
        batch = _open
        assert batch is not None
        index = len(batch.drops)
        batch.drops.append(drop)
    if leader:
        _gather()
        with _passing:  # while the previous pass runs, later uploads join this batch
            with _joining:
                if _open is batch:
                    _open = None
            try:
                batch.verdicts = evaluate(batch.drops, settings)
            except BaseException as exc:
                batch.error = exc
            finally:
                batch.done.set()
    else:
        batch.done.wait()
    if batch.error is not None:
        raise batch.error
    return batch.verdicts[index]
