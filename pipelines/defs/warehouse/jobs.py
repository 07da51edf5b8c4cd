"""Jobs: ingestion then the warehouse build, and the build alone (monthly official figures)."""

from __future__ import annotations

import dagster as dg

# Steps run in one process: a Dagster step subprocess costs seconds, and every step here
# writes the same DuckDB file, one at a time.
ingest_and_build_job = dg.define_asset_job(
    "ingest_and_build",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("reporting"),
    executor_def=dg.in_process_executor,
    description="Ingest every new partner file, then rebuild the warehouse and indicators.",
)

build_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("ingestion"),
    executor_def=dg.in_process_executor,
    description="Rebuild the warehouse models and indicators (dbt), publish the copy, then "
    "write the month's report, scorecards and Excel export.",
)

update_warehouse_job = dg.define_asset_job(
    "update_warehouse",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("ingestion", "reporting"),
    executor_def=dg.in_process_executor,
    description="The steps of ingest_and_build after ingestion, for the files the inbox sensor "
    "ingested itself (a drop of a few files).",
)
