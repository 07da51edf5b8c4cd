"""The ingest step as assets: the raw tables that one ingestion run writes, and a check that
names the files the run rejected or held (warning: the run itself went well)."""

from typing import Any

import dagster as dg

from pipelines.defs.resources import OsservatorioSettings
from pipelines.ingest import IngestSummary, ingest

RAW_TABLES = ("submissions", "submission_issues", "interventi", "spese")
WAREHOUSE_POOL = "warehouse"
FILES_CHECK = "files_accepted"
SHOWN_IN_TAGS = 5  # files named in the run's tags (tag values stay short)


def problem_metadata(summary: IngestSummary) -> dict[str, dg.MetadataValue]:
    """The rejected and held files of a run: partner, period, file, first problems."""
    files = [
        {
            "partner": p.partner,
            "period": p.period,
            "file": p.file_name,
            "status": p.status,
            "first_problems": list(p.problems),
        }
        for p in summary.problems
    ]
    table = "\n".join(
        f"| {p.partner} | {p.period} | {p.file_name} | {p.status} | {'; '.join(p.problems)} |"
        for p in summary.problems
    )
    return {
        "rejected_or_held_files": dg.MetadataValue.json(files),
        "rejected_or_held": dg.MetadataValue.md(
            "| partner | period | file | status | first problems |\n|---|---|---|---|---|\n" + table
        )
        if table
        else dg.MetadataValue.md("none"),
    }


def run_tags(summary: IngestSummary) -> dict[str, str]:
    names = [f"{p.partner}/{p.period}/{p.file_name}" for p in summary.problems]
    shown = ", ".join(names[:SHOWN_IN_TAGS]) + (", ..." if len(names) > SHOWN_IN_TAGS else "")
    return {
        "ingest/new_files": str(summary.new),
        "ingest/rejected": str(summary.rejected),
        "ingest/held": str(summary.held),
        "ingest/applied_held": str(len(summary.released)),
        **({"ingest/problem_files": shown[:250]} if names else {}),
    }


def _check_fields(summary: IngestSummary) -> dict[str, Any]:
    names = [p.as_text() for p in summary.problems]
    return {
        "check_name": FILES_CHECK,
        "asset_key": dg.AssetKey(["raw", "submissions"]),
        "passed": not names,
        "severity": dg.AssetCheckSeverity.WARN,
        "description": (
            "every new file was accepted"
            if not names
            else f"{len(names)} file(s) rejected or held: " + "; ".join(names[:10])
        ),
        "metadata": {"files": dg.MetadataValue.json(names)},
    }


def files_check(summary: IngestSummary) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(**_check_fields(summary))


def files_check_evaluation(summary: IngestSummary) -> dg.AssetCheckEvaluation:
    """The same check, reported by the inbox sensor when it ingested the files itself."""
    return dg.AssetCheckEvaluation(**_check_fields(summary))


def materialization_metadata(summary: IngestSummary) -> dict[str, Any]:
    """What the raw tables' materialisation says about an ingestion that changed something."""
    return {
        "new_files": summary.new,
        "accepted": summary.accepted,
        "accepted_with_warnings": summary.accepted_with_warnings,
        "rejected": summary.rejected,
        "held": summary.held,
        "applied_held": len(summary.released),
        "rows_accepted": summary.rows_accepted,
        **problem_metadata(summary),
    }


def log_summary(log: Any, summary: IngestSummary) -> None:
    log.info(
        f"{summary.new} new files: {summary.accepted} accepted, "
        f"{summary.accepted_with_warnings} with warnings, {summary.rejected} rejected, "
        f"{summary.held} held; {len(summary.released)} held files applied"
    )
    for p in summary.problems:
        log.warning(p.as_text())


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", t],
            group_name="ingestion",
            kinds={"duckdb", "python"},
            skippable=True,
            description=f"raw.{t}, written by ingestion from partner files",
        )
        for t in RAW_TABLES
    ],
    check_specs=[
        dg.AssetCheckSpec(
            FILES_CHECK,
            asset=["raw", "submissions"],
            description="Warns, naming them, when the run rejected files or held files for an "
            "approved month (partner, period, file, first problems).",
        )
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def raw_tables(context: dg.AssetExecutionContext, osservatorio: OsservatorioSettings):
    """Every new file of the inbox: read, validated, answered in Italian, recorded; first
    the held files of reopened months.

    Materialises only when a file was recorded or applied, so the warehouse build
    downstream runs after an ingestion that changed something and is skipped otherwise.
    """
    summary = ingest(osservatorio.load())
    log_summary(context.log, summary)
    context.instance.add_run_tags(context.run.run_id, run_tags(summary))
    if summary.changed:
        meta = materialization_metadata(summary)
        for t in RAW_TABLES:
            yield dg.MaterializeResult(asset_key=["raw", t], metadata=meta)
    yield files_check(summary)
