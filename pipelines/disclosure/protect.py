"""Inside the build, after dbt: choose the secondary suppressions, write them into the marts,
then audit the marts as they will be published. The CLI's build and the Dagster asset call
`protect_and_audit`; a failed audit stops the publication (the previous one stays)."""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

import pandas as pd

from pipelines.disclosure import audit as auditing
from pipelines.disclosure import cells as cell_frame
from pipelines.disclosure import secondary
from pipelines.settings import Settings

log = logging.getLogger(__name__)

AUDIT_DDL = """
create schema if not exists meta;
create table if not exists meta.disclosure_audits (
    audited_at timestamptz not null,
    cells integer not null,
    primary_suppressed integer not null,
    secondary_suppressed integer not null,
    recoverable integer not null,
    suppression_seconds float8 not null,
    audit_seconds float8 not null
);
"""


class PublicationBlocked(RuntimeError):
    """The audit found suppressed cells that the published ones determine."""


@dataclass(frozen=True)
class Protection:
    audit: auditing.AuditResult
    suppression_seconds: float

    @property
    def passed(self) -> bool:
        return self.audit.passed


def _write_secondary(con, cells: pd.DataFrame, suppressed, schema: str) -> int:  # type: ignore[no-untyped-def]
    secondary_cells = cells.loc[suppressed & ~cells["suppressed"].to_numpy(), cell_frame.KEY]
    con.temp_table_from_frame("secondary_cells", secondary_cells)
    with con.transaction():
        for table, dims in (("indicator_values", False), ("indicator_breakdowns", True)):
            match = (
                "t.dimension = s.dimension and t.dimension_value = s.dimension_value"
                if dims
                else "s.dimension = 'total'"
            )
            con.execute(f"""
                update {schema}.{table} as t
                set is_suppressed = true, suppression = 'secondary', display_value = '<5'
                from secondary_cells as s
                where t.indicator_code = s.indicator_code and t.period = s.period
                    and t."window" = s."window" and t.scope = s.scope
                    and coalesce(t.scope_code, '') = s.scope_code and {match}
            """)
        if (secondary_cells["dimension"] == cell_frame.MUNICIPALITY).any():
            _write_municipalities(con, schema)
    con.execute("drop table secondary_cells")
    return len(secondary_cells)


_RATE_OF = {"persons": "persons_per_1000", "minors": "minors_per_1000_minors"}


def _write_municipalities(con, schema: str) -> None:  # type: ignore[no-untyped-def]
    """A municipality's count chosen as a secondary suppression, and its rate per 1,000."""
    for column, code in cell_frame.MUNICIPALITY_COUNTS.items():
        rate = _RATE_OF.get(column)
        also = f", {rate}_display = '<5'" if rate else ""
        con.execute(f"""
            update {schema}.reach_by_municipality as t
            set {column}_suppression = 'secondary', {column}_display = '<5'{also}
            from secondary_cells as s
            where s.indicator_code = '{code}' and s.dimension = '{cell_frame.MUNICIPALITY}'
                and t.istat_code = s.dimension_value and t.period = s.period
                and t."window" = s."window"
        """)


@dataclass(frozen=True)
class Chosen:
    """What the secondary suppression chose: the cells as they are to be published (with the
    suppressions written into the marts) and the audit of exactly those cells."""

    cells: pd.DataFrame
    audit: auditing.AuditResult
    seconds: float


# What the publication shows of a cell; the audit of the chosen cells holds for the marts
# when these read back the same.
PUBLISHED = [*cell_frame.KEY, "value", "suppression", "display_value"]


def protect(con, schema: str = "marts") -> Chosen:  # type: ignore[no-untyped-def]
    """Choose and write the secondary suppressions into the marts of `schema`."""
    started = time.perf_counter()
    cells = cell_frame.load(con, schema)
    suppressed, result = secondary.choose(cells)
    written = _write_secondary(con, cells, suppressed, schema)
    log.info("secondary suppression: %d cells", written)
    return Chosen(secondary.marked(cells, suppressed), result, time.perf_counter() - started)


def _audit_written(con, schema: str, chosen: Chosen | None) -> auditing.AuditResult:  # type: ignore[no-untyped-def]
    """The audit of the marts as written: the cells are read back from the warehouse; when
    they are, cell for cell, the ones the secondary suppression audited (its last audit, of
    the whole system), that audit is theirs; otherwise (or with nothing chosen) they are
    audited again from scratch."""
    started = time.perf_counter()
    cells = cell_frame.load(con, schema)
    if chosen is not None and _same_publication(cells, chosen.cells):
        return dataclasses.replace(chosen.audit, seconds=time.perf_counter() - started)
    if chosen is not None:
        log.warning("the marts do not read back as chosen: auditing them again")
    return auditing.audit_cells(cells)


def _same_publication(cells: pd.DataFrame, chosen: pd.DataFrame) -> bool:
    if len(cells) != len(chosen):
        return False
    a = cells[PUBLISHED].reset_index(drop=True)
    b = chosen[PUBLISHED].reset_index(drop=True)
    return bool(a.equals(b))


def protect_and_audit(settings: Settings) -> Protection:
    """Secondary suppression, then the audit of the marts as written; the audit is recorded
    in meta.disclosure_audits. Call it holding the writer lock."""
    return _audited(settings, suppress=True)


def audit_only(settings: Settings) -> Protection:
    """The audit of the marts as they are (recorded like the others)."""
    return _audited(settings, suppress=False)


def _audited(settings: Settings, suppress: bool) -> Protection:
    """On PostgreSQL the marts being published are those of `marts_build` (publish.py)."""
    from pipelines.warehouse import engine
    from pipelines.warehouse.publish import BUILD_SCHEMA

    schema = BUILD_SCHEMA if settings.warehouse_url is not None else "marts"
    con = engine.connect(settings)
    try:
        chosen = protect(con, schema) if suppress else None
        seconds = chosen.seconds if chosen is not None else 0.0
        result = _audit_written(con, schema, chosen)
        con.execute(AUDIT_DDL)
        con.execute(
            "insert into meta.disclosure_audits values (current_timestamp, ?, ?, ?, ?, ?, ?)",
            [
                result.cells,
                result.primary,
                result.secondary,
                len(result.recoverable),
                seconds,
                result.seconds,
            ],
        )
    finally:
        con.close()
    log.info(result.summary())
    return Protection(result, seconds)
