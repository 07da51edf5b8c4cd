"""The operators' log: one file per process at a time, closed when the process moves to
another workspace, and left alone by the portal's logging configuration."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from pipelines import logs


def _files() -> list[logging.FileHandler]:
    return [
        h for h in logging.getLogger("pipelines").handlers if isinstance(h, logging.FileHandler)
    ]


def test_moving_to_another_workspace_closes_the_previous_log(tmp_path: Path) -> None:
    try:
        logs.setup(tmp_path / "a")
        first = _files()[-1]
        logs.setup(tmp_path / "a")  # the same workspace again: the same file, once
        assert _files().count(first) == 1
        logs.setup(tmp_path / "b")
        assert [h.baseFilename for h in _files()] == [str(tmp_path / "b" / "osservatorio.log")]
        assert first.stream is None  # closed, not left for the garbage collector
        logging.getLogger("pipelines.test").info("written")
        assert "written" in (tmp_path / "b" / "osservatorio.log").read_text()
    finally:
        for h in _files():
            logging.getLogger("pipelines").removeHandler(h)
            h.close()


def test_the_portal_does_not_reconfigure_the_pipelines_log(tmp_path: Path) -> None:
    # dictConfig drops, without closing them, the handlers of every logger it names. (In a
    # process of its own: the portal's settings belong to the workspace they are read for.)
    named = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipelines.portal.settings import LOGGING; print(sorted(LOGGING['loggers']))",
        ],
        env={**os.environ, "OSSERVATORIO_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "axes" in named and "pipelines" not in named
