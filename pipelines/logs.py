"""Logging for operators: English lines, no personal data (callers log codes and counts)."""

from __future__ import annotations

import logging
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup(log_dir: Path | None = None, level: int = logging.INFO) -> None:
    """The `pipelines` loggers at `level`, written to `<log_dir>/osservatorio.log`: one file
    at a time (a process that moves to another workspace closes the previous one)."""
    root = logging.getLogger("pipelines")
    root.setLevel(level)
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        target = str(log_dir / "osservatorio.log")
        for h in list(root.handlers):
            if isinstance(h, logging.FileHandler) and h.baseFilename != target:
                root.removeHandler(h)
                h.close()
        if not any(getattr(h, "baseFilename", None) == target for h in root.handlers):
            handler = logging.FileHandler(target, encoding="utf-8")
            handler.setFormatter(logging.Formatter(FORMAT))
            root.addHandler(handler)
