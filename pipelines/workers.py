"""Work spread over the machine's cores, and child processes that never outlive their parent.

`ingest` reads a backlog's files and writes their annotated workbooks in a pool of worker
processes, one per core (a fresh interpreter each: `spawn`, never a fork of a process holding
a DuckDB connection). A handful of files is read in the process itself: starting the workers
would cost more than it saves. Every child (a worker, the dbt executable) dies with the
process that started it, so a killed run leaves nothing behind holding the warehouse or the
inbox; the next run redoes the batch.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

# Below this many files, the work stays in the calling process.
MIN_FILES = 8


# Bulk work makes millions of small objects (cells, rows) that hold no cycles and live until
# their batch is recorded: the cyclic collector, run every 700 of them by default, would scan
# them again and again. Workers, and the parent while it ingests, run it far less often.
BULK_GC_THRESHOLD = (50_000, 20, 20)


@contextlib.contextmanager
def bulk_collection() -> Iterator[None]:
    """The cyclic collector run seldom, and never over what was alive before (gc.freeze)."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BULK_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def start_worker() -> None:  # pragma: no cover - runs in the child
    """A worker dies with its parent, and collects cycles seldom (a bulk-only process)."""
    gc.set_threshold(*BULK_GC_THRESHOLD)
    die_with_parent()


def die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask the kernel to kill this process when its parent dies (Linux; elsewhere a no-op)."""
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the parent died before the call
        os._exit(1)


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def pool(files: int, workers: int | None = None) -> Iterator[Executor | None]:
    """A pool of `workers` processes (default: one per core) for `files` files, or None (work
    in this process) when they are few or only one worker is allowed."""
    workers = min(workers or cores(), files)
    if files < MIN_FILES or workers < 2:
        yield None
        return
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
    )
    try:
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
