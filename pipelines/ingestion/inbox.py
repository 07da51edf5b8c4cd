"""The inbox: `inbox/<PARTNER_CODE>/<YYYY-MM>/<file>`; each file found becomes a `Drop`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
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


class HashCache:
    """(path, size, modification time, inode) -> sha256 of the files already read, kept in a
    small JSON file: a scan with nothing new reads no file's bytes. A file that changes in
    any of these is hashed again."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, list] = {}
        self.used: dict[str, list] = {}
        if path is not None and path.is_file():
            try:
                self.known = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.known = {}  # a damaged cache only costs hashing again

    def sha256(self, path: Path, st: os.stat_result) -> str:
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        entry = self.known.get(str(path))
        sha = entry[3] if entry and entry[:3] == stamp else sha256_of(path)
        self.used[str(path)] = [*stamp, sha]
        return sha

    def save(self) -> None:
        """Keep what this scan saw (files gone from the inbox are forgotten)."""
        if self.path is None or self.used == self.known:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(self.used), encoding="utf-8")
        os.replace(tmp, self.path)


def scan(inbox: Path, cache_file: Path | None = None) -> list[Drop]:
    """Every file two levels below the inbox, oldest first (then by partner, period, name).
    With `cache_file`, files seen before unchanged are not read again."""
    drops: list[Drop] = []
    if not inbox.is_dir():
        return drops
    cache = HashCache(cache_file)
    for path in inbox.glob("*/*/*"):
        if not path.is_file() or _is_hidden(path):
            continue
        st = path.stat()
        drops.append(
            Drop(
                path,
                path.parent.parent.name,
                path.parent.name,
                cache.sha256(path, st),
                st.st_size,
                dt.datetime.fromtimestamp(st.st_mtime, dt.UTC),
            )
        )
    cache.save()
    drops.sort(key=lambda d: (d.received_at, d.partner, d.period, d.name))
    return drops


def drop_of(path: Path, partner: str, period: str) -> Drop:
    st = path.stat()
    return Drop(
        path,
        partner,
        period,
        sha256_of(path),
        st.st_size,
        dt.datetime.fromtimestamp(st.st_mtime, dt.UTC),
    )
