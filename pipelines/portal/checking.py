"""The check of an uploaded file, batched: GX costs about a second per validation pass
whatever its size, and one pass validates many files (as ingestion does), so uploads that
arrive while a check is running are checked together in the next pass. Each file's verdict
is the one `evaluate` gives it alone; one pass at a time per process."""

from __future__ import annotations

import threading
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


_joining = threading.Lock()  # guards `_open`
_passing = threading.Lock()  # one validation pass at a time
_open: _Batch | None = None


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
