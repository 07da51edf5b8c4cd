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
    return audit_and_publish(settings, protect_and_audit(settings))


def audit_and_publish(settings: Settings, protection: Protection | None = None) -> Protection:
    """Publish the pending build if the disclosure audit of the marts as they are passes
    (`protection`: the audit just made); otherwise PublicationBlocked, and nothing changes."""
    from pipelines.disclosure.protect import audit_only

    plan = pending(settings)
    if plan is None:
        raise BuildError("no build waits for publication: run the warehouse build first")
    protection = protection or audit_only(settings)
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
    On PostgreSQL: `publish_postgres`.

    Readers of the published copy never block the pipeline's single writer, and never see
    a half-built state: under the writer lock the warehouse is checkpointed and closed (its
    file then holds everything, with no write-ahead log), copied byte for byte beside the
    published copy, and swapped in whole.
    """
    if settings.warehouse_url is not None:
        return publish_postgres(settings)
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


# PostgreSQL ------------------------------------------------------------------------------------
# dbt builds the marts into `marts_build` (dbt_project/macros/generate_schema_name.sql), where the
# secondary suppression writes and the audit reads. Analysts read `marts`: one transaction
# replaces its rows with the audited ones, so that with PostgreSQL's MVCC a query running
# meanwhile sees the previous publication whole and is never blocked (rows are deleted and
# inserted; a table is dropped and created only when its columns changed). The pipeline's own
# readers (reports, alerts, the portal, the inbox sensor) read the same published tables from
# a DuckDB extract, published/warehouse.duckdb, as on the embedded engine.

BUILD_SCHEMA = "marts_build"
PUBLISHED_SCHEMA = "marts"
# What the pipeline's readers need besides the marts, copied into the extract.
EXTRACT_ALSO = ("reference", "intermediate.int_indicator_finality")


def publish_postgres(settings: Settings) -> Path:
    """The audited `marts_build` into `marts` in one transaction, the reader role's grants,
    then the DuckDB extract and its Parquet files."""
    from pipelines.warehouse import engine

    con = engine.connect(settings)
    try:
        with con.transaction():
            tables = _swap_marts(con)
            if settings.reader_password is not None:
                engine.create_reader_role(con, settings.reader_password.reveal().decode())
        log.info("published %d tables in schema %s", len(tables), PUBLISHED_SCHEMA)
        target = _extract(settings, con)
    finally:
        con.close()
    _export_parquet(target, Workspace(settings.home).published / "parquet")
    return target


def _columns(con, schema: str) -> dict[str, list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    rows = con.execute(
        "select table_name, column_name, data_type, numeric_precision, numeric_scale "
        "from information_schema.columns where table_schema = ? "
        "order by table_name, ordinal_position",
        [schema],
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind, precision, scale in rows:
        if kind == "numeric" and precision is not None:
            kind = f"numeric({precision},{scale})"
        out.setdefault(table, []).append((column, kind))
    return out


def _swap_marts(con) -> list[str]:  # type: ignore[no-untyped-def]
    """Every table and view of marts_build as a table of marts with the same rows; tables of
    marts no longer built are dropped. Call it inside a transaction."""
    built = _columns(con, BUILD_SCHEMA)
    if not built:
        raise BuildError(f"nothing to publish: schema {BUILD_SCHEMA} is empty; run the build")
    con.execute(f"create schema if not exists {PUBLISHED_SCHEMA}")
    published = _columns(con, PUBLISHED_SCHEMA)
    for table, columns in built.items():
        source, target = f'{BUILD_SCHEMA}."{table}"', f'{PUBLISHED_SCHEMA}."{table}"'
        if published.get(table) == columns:
            con.execute(f"delete from {target}")
            con.execute(f"insert into {target} select * from {source}")
        else:
            con.execute(f"drop table if exists {target} cascade")
            con.execute(f"create table {target} as select * from {source}")
    for table in published.keys() - built.keys():
        con.execute(f'drop table if exists {PUBLISHED_SCHEMA}."{table}" cascade')
    return sorted(built)


_DUCKDB_TYPE = {
    "character varying": "varchar",
    "text": "varchar",
    "double precision": "double",
    "real": "float",
    "bigint": "bigint",
    "integer": "integer",
    "smallint": "smallint",
    "boolean": "boolean",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "numeric": "double",
}


def _duckdb_type(kind: str) -> str:
    if kind.startswith("numeric("):
        return kind.replace("numeric", "decimal")
    return _DUCKDB_TYPE.get(kind, "varchar")


def _extract(settings: Settings, con) -> Path:  # type: ignore[no-untyped-def]
    """published/warehouse.duckdb from the published marts and what the readers also need,
    written beside it and swapped in whole."""
    import tempfile

    import duckdb

    ws = Workspace(settings.home).ensure()
    target = ws.published / "warehouse.duckdb"
    tmp = ws.published / ".warehouse.part.duckdb"
    tmp.unlink(missing_ok=True)
    wanted: list[tuple[str, str, list[tuple[str, str]]]] = []
    for item in (PUBLISHED_SCHEMA, *EXTRACT_ALSO):
        schema, _, only = item.partition(".")
        for table, columns in _columns(con, schema).items():
            if not only or table == only:
                wanted.append((schema, table, columns))
    out = duckdb.connect(str(tmp))
    try:
        with tempfile.TemporaryDirectory(prefix="extract-", dir=ws.published) as folder:
            for schema, table, columns in wanted:
                csv = Path(folder) / f"{schema}.{table}.csv"
                names = ", ".join(f'"{c}"' for c, _ in columns)
                con.copy_out(
                    f'copy (select {names} from {schema}."{table}") to stdout '
                    "with (format csv, header true)",
                    csv,
                )
                types = ", ".join(f"'{c}': '{_duckdb_type(k)}'" for c, k in columns)
                out.execute(f"create schema if not exists {schema}")
                out.execute(
                    f'create table {schema}."{table}" as select * from read_csv(?, header = true, '
                    f"columns = {{{types}}}, allow_quoted_nulls = false, auto_detect = false)",
                    [str(csv)],
                )
        out.execute("checkpoint")
    finally:
        out.close()
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    log.info("published the DuckDB extract of the PostgreSQL marts at %s", target)
    return target
