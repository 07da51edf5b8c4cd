"""The ingest step as assets: the raw tables that one ingestion run writes."""

import dagster as dg

from pipelines.defs.resources import OsservatorioSettings
from pipelines.ingest import ingest

RAW_TABLES = ("submissions", "submission_issues", "interventi", "spese")
WAREHOUSE_POOL = "warehouse"


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", t], group_name="ingestion", kinds={"duckdb", "python"},
                        skippable=True,
                        description=f"raw.{t}, written by ingestion from partner files")
           for t in RAW_TABLES],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def raw_tables(context: dg.AssetExecutionContext, osservatorio: OsservatorioSettings):
    """Every new file of the inbox: read, validated, answered in Italian, recorded.

    Materialises only when a file was recorded, so the warehouse build downstream runs
    after an ingestion that changed something and is skipped otherwise.
    """
    summary = ingest(osservatorio.load())
    context.log.info(
        f"{summary.new} new files: {summary.accepted} accepted, "
        f"{summary.accepted_with_warnings} with warnings, {summary.rejected} rejected")
    if not summary.new:
        return
    meta = {"new_files": summary.new, "accepted": summary.accepted,
            "accepted_with_warnings": summary.accepted_with_warnings,
            "rejected": summary.rejected, "rows_accepted": summary.rows_accepted}
    for t in RAW_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", t], metadata=meta)
