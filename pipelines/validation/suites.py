"""Run the Great Expectations suites of `expectations/` over a run's validation frames.

One GX pass per table for the whole run (importing GX alone costs seconds). Failing rows
come back from GX's unexpected indices as (file index, spreadsheet row) pairs, and each
expectation's `meta` says which rule, severity and partner column it stands for.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines import reference

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "expectations"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowFailure:
    table: str
    file_index: int
    row: int
    rule: str
    severity: str
    column: str  # canonical column whose value is reported
    message: str
    expected: str


def _resolve(value: Any) -> Any:
    if isinstance(value, dict) and "$seed" in value:
        if value["$seed"] == "service_codes":
            return sorted(reference.services())
        raise ValueError(f"unknown seed reference {value['$seed']}")
    return value


@cache
def load_suite(table: str) -> dict[str, Any]:
    doc = json.loads((EXPECTATIONS_DIR / f"{table}.json").read_text(encoding="utf-8"))
    for exp in doc["expectations"]:
        exp["kwargs"] = {k: _resolve(v) for k, v in exp["kwargs"].items()}
    return doc


def rule_ids(table: str) -> set[str]:
    return {e["meta"]["rule"] for e in load_suite(table)["expectations"]}


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


@cache
def _context():
    gx = _gx()
    ctx = gx.get_context(mode="ephemeral")
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # progress bars only affect the console
        log.debug("could not turn GX progress bars off")
    return ctx


def validate_frames(frames: dict[str, pd.DataFrame]) -> list[RowFailure]:
    """All row failures of all tables; raises only if GX itself cannot run a rule."""
    from great_expectations.core.expectation_suite import ExpectationSuite

    ctx = _context()
    failures: list[RowFailure] = []
    for table, df in frames.items():
        if df.empty:
            continue
        doc = load_suite(table)
        name = f"{table}_{id(df)}"
        source = ctx.data_sources.add_or_update_pandas(name)
        batch_def = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("run")
        suite = ExpectationSuite(name=name, expectations=[dict(e) for e in doc["expectations"]])
        batch = batch_def.get_batch(batch_parameters={"dataframe": df.reset_index(drop=True)})
        result = batch.validate(suite, result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["_file", "_row"],
            "return_unexpected_index_query": False,
        })
        ctx.data_sources.delete(name)
        for r in result.results:
            meta = r.expectation_config.meta
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"GX could not evaluate rule {meta['rule']}: "
                    f"{r.exception_info.get('exception_message')}")
            if r.success:
                continue
            for idx in r.result.get("unexpected_index_list") or []:
                failures.append(RowFailure(table, int(idx["_file"]), int(idx["_row"]), meta["rule"],
                                           meta["severity"], meta["column"], meta["message"],
                                           meta["expected"]))
    return failures
