"""raw.period_approvals: written by the steward's commands (`osservatorio approve` / `reopen`,
pipelines/approval/), not by a run; dbt reads it, so the UI shows it upstream of the marts."""

import dagster as dg

period_approvals = dg.AssetSpec(
    ["raw", "period_approvals"],
    group_name="ingestion",
    kinds={"duckdb"},
    description="The steward's approvals and reopenings of partner-months (append-only), "
    "written by `osservatorio approve` and `osservatorio reopen`.",
)
