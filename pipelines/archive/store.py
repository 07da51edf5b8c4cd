"""Archive and quarantine. The archive keeps every received file by content hash,
read-only; it is the only place besides the partner's own folder that holds a raw file."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from pipelines.ingestion.inbox import Drop
from pipelines.workspace import Workspace


def _copy_atomic(src: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        shutil.copyfile(src, tmp)
    except FileNotFoundError:  # the folder is made the first time (a syscall saved per file)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, tmp)
    os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
    os.replace(tmp, dest)


def archive(ws: Workspace, drop: Drop) -> Path:
    """archive/<sha[:2]>/<sha><ext>; writing the same bytes again is a no-op."""
    dest = ws.archive / drop.sha256[:2] / f"{drop.sha256}{drop.path.suffix.lower()}"
    if not dest.exists():
        _copy_atomic(drop.path, dest)
    return dest


def quarantine(ws: Workspace, drop: Drop) -> Path:
    dest = ws.quarantine / drop.partner / drop.period / f"{drop.sha256[:8]}_{drop.name}"
    if not dest.exists():
        _copy_atomic(drop.path, dest)
    return dest
