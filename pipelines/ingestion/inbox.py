"""The inbox: `inbox/<PARTNER_CODE>/<YYYY-MM>/<file>`; each file found becomes a `Drop`."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Drop:
    """A received file: where it lies, whose folder, which month, what bytes, when."""

    path: Path
    partner: str
    period: str
    sha256: str
    size: int
    received_at: dt.datetime  # the file's modification time, UTC

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def key(self) -> str:
        """Partner, period and content: the same bytes in the same folder are one drop."""
        return f"{self.partner}|{self.period}|{self.sha256}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _is_hidden(path: Path) -> bool:
    # Lock and temp files of spreadsheet programs and half-written uploads are not drops.
    return path.name.startswith((".", "~$", ".~lock")) or path.suffix in (".part", ".tmp")


def scan(inbox: Path) -> list[Drop]:
    """Every file two levels below the inbox, oldest first (then by partner, period, name)."""
    drops: list[Drop] = []
    if not inbox.is_dir():
        return drops
    for path in inbox.glob("*/*/*"):
        if not path.is_file() or _is_hidden(path):
            continue
        st = path.stat()
        drops.append(Drop(path, path.parent.parent.name, path.parent.name, sha256_of(path),
                          st.st_size, dt.datetime.fromtimestamp(st.st_mtime, dt.UTC)))
    drops.sort(key=lambda d: (d.received_at, d.partner, d.period, d.name))
    return drops


def drop_of(path: Path, partner: str, period: str) -> Drop:
    st = path.stat()
    return Drop(path, partner, period, sha256_of(path), st.st_size,
                dt.datetime.fromtimestamp(st.st_mtime, dt.UTC))
