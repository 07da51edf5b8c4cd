"""Publication: secondary suppression and the disclosure audit of the marts just built
(pipelines/disclosure/), then the ledger entry and the analysts' read-only copy with its
Parquet files, swapped in whole. Nothing is published from a build the audit stops."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.settings import Settings
from pipelines.warehouse.errors import BuildError, PublicationBlocked
from pipelines.warehouse.plan import pending, record_build
from pipelines.workspace import Workspace

if TYPE_CHECKING:
    from pipelines.disclosure.protect import Protection

log = logging.getLogger(__name__)


def protect_and_publish(settings: Settings) -> Protection:
    """After dbt (`save_pending`): secondary suppression and the disclosure audit
    (pipelines/disclosure/); if it passes, the build enters the ledger and the copy is
    published. Call it holding the writer lock."""
    from pipelines.disclosure.protect import protect_and_audit

    if pending(settings) is None:
        raise BuildError("no build waits for publication: run the warehouse build first")
    return audit_and_publish(settings, protect_and_audit(Workspace(settings.home).warehouse))


def audit_and_publish(settings: Settings, protection: Protection | None = None) -> Protection:
    """Publish the pending build if the disclosure audit of the marts as they are passes
    (`protection`: the audit just made); otherwise PublicationBlocked, and nothing changes."""
    from pipelines.disclosure.protect import audit_only

    plan = pending(settings)
    if plan is None:
        raise BuildError("no build waits for publication: run the warehouse build first")
    protection = protection or audit_only(Workspace(settings.home).warehouse)
    if not protection.passed:
        found = protection.audit.recoverable
        sample = ", ".join(
            f"{r.indicator_code} {r.period} {r.window} {r.scope} {r.scope_code}"
            f" {r.dimension}={r.dimension_value}".rstrip("= ")
            for r in found.head(3).itertuples()
        )
        raise PublicationBlocked(
            f"publication stopped: the disclosure audit found {len(found)} suppressed cells "
            f"recoverable from the published ones ({sample})"
            + (
                f"; links broken by the exact values: {protection.audit.broken_links}"
                if protection.audit.broken_links
                else ""
            )
            + "; the previous publication stays"
        )
    record_build(settings, plan)
    publish(settings)
    return protection


def publish(settings: Settings) -> Path:
    """Copy the warehouse to published/warehouse.duckdb atomically, for analysts.

    Readers of the published copy never block the pipeline's single writer, and never see
    a half-built state: under the writer lock the warehouse is checkpointed and closed (its
    file then holds everything, with no write-ahead log), copied byte for byte beside the
    published copy, and swapped in whole.
    """
    import shutil

    import duckdb

    ws = Workspace(settings.home).ensure()
    target = ws.published / "warehouse.duckdb"
    tmp = ws.published / ".warehouse.part.duckdb"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(ws.warehouse))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    wal = ws.warehouse.with_name(ws.warehouse.name + ".wal")
    if wal.exists():  # closing checkpoints; a log left behind means the copy would lag
        raise RuntimeError(f"the warehouse still has a write-ahead log ({wal}); not publishing")
    shutil.copyfile(ws.warehouse, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    _export_parquet(target, ws.published / "parquet")
    log.info("published a read-only copy of the warehouse at %s", target)
    return target


def _export_parquet(database: Path, folder: Path) -> None:
    """One Parquet file per mart, swapped in as a folder (BI tools read these)."""
    import shutil

    import duckdb

    staging = folder.with_name(".parquet.part")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        for table in tables:
            con.execute(
                f"copy marts.\"{table}\" to '{staging / (table + '.parquet')}' (format parquet)"
            )
    finally:
        con.close()
    old = folder.with_name(".parquet.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
