"""Jobs: ingestion alone (the inbox sensor's run), the warehouse update that follows it,
ingestion then the build in one run (`osservatorio demo`), and the build alone with the
month's reports (monthly official figures)."""

from __future__ import annotations

import dagster as dg

# Steps run in one process: a Dagster step subprocess costs seconds, and every step here
# writes the same DuckDB file, one at a time.

# A partner's drop waits for this run only: its feedback is written in it. A run that plans
# only the raw tables is created in a fraction of a second; one that also plans the dbt
# models and their checks takes seconds more to create (an event per planned asset).
ingest_job = dg.define_asset_job(
    "ingest",
    selection=dg.AssetSelection.groups("ingestion"),
    executor_def=dg.in_process_executor,
    description="Ingest every new partner file: validate, answer the partner, record.",
)

# What follows every successful ingestion run (warehouse/sensors.py).
update_job = dg.define_asset_job(
    "update_warehouse",
    selection=dg.AssetSelection.all()
    - dg.AssetSelection.groups("ingestion")
    - dg.AssetSelection.groups("reporting"),
    executor_def=dg.in_process_executor,
    description="After an ingestion run: rebuild the warehouse and indicators (dbt) and "
    "publish the copy; the month's reports are the monthly build's.",
)

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
