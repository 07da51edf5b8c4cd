"""The workspace folder (`OSSERVATORIO_HOME`) and the places inside it (interfaces.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workspace:
    home: Path

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def outbox(self) -> Path:
        return self.home / "outbox"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        """Read-only copy of the warehouse for analysts, swapped atomically after a build."""
        return self.home / "published"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def inbox_hashes(self) -> Path:
        """What the inbox scans have already hashed (ingestion/inbox.py: HashCache)."""
        return self.home / ".inbox-hashes.json"

    def remove_partial_writes(self) -> int:
        """Delete half-written files (`.<name>.part`) left by a writer that was killed; the
        whole file is written again by the run that redoes the work."""
        removed = 0
        for folder in (self.archive, self.quarantine, self.outbox):
            for part in folder.rglob(".*.part"):
                if part.is_file():
                    part.chmod(0o600)
                    part.unlink()
                    removed += 1
        return removed

    def ensure(self) -> Workspace:
        for p in (
            self.inbox,
            self.outbox,
            self.archive,
            self.quarantine,
            self.reports,
            self.logs,
            self.published,
        ):
            p.mkdir(parents=True, exist_ok=True)
        return self
