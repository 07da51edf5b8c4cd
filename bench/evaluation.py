"""What the evaluation tables (indicators.md, "Evaluation: targets, follow-up and needs")
cost in a build: the execution time dbt recorded for their seeds, models and tests, from the
build's run_results.json, beside the build's whole time."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.warehouse.dbt import PROJECT_DIR

# The nodes of the evaluation tables: a node counts when its name contains one of these.
NODES = (
    "targets",
    "cohort_outcomes",
    "follow_up",
    "reach_by_municipality",
    "population",
    "evaluation",
)


def seconds(run_results: Path = PROJECT_DIR / "target" / "run_results.json") -> dict[str, float]:
    """The evaluation nodes' seconds and the whole dbt invocation's, of the last build."""
    data = json.loads(run_results.read_text())
    mine = sum(
        r["execution_time"]
        for r in data["results"]
        if any(n in r["unique_id"].split(".")[2] for n in NODES)
    )
    return {"evaluation_s": round(mine, 2), "dbt_elapsed_s": round(data["elapsed_time"], 2)}
