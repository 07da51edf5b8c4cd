"""The month's report, scorecards and Excel export as one asset, after the warehouse build.

It sits in the `build_warehouse` job (so the monthly official build refreshes it) and not
in `ingest_and_build`: a partner's file mid-month does not reprint the month's report.
"""

# No `from __future__ import annotations`: Dagster reads the resource types.
import dagster as dg

from pipelines.defs.ingestion.assets import WAREHOUSE_POOL
from pipelines.defs.resources import OsservatorioSettings

REPORTING_GROUP = "reporting"
UPSTREAM = [["published", "warehouse"]]  # the audited copy the reports read


@dg.asset(
    group_name=REPORTING_GROUP,
    deps=UPSTREAM,
    pool=WAREHOUSE_POOL,
    kinds={"html", "pdf", "excel"},
    description="The partnership's monthly report (HTML, PDF), every partner's scorecard "
    "and the Excel export, for the latest month that was due.",
)
def monthly_report(
    context: dg.AssetExecutionContext, osservatorio: OsservatorioSettings
) -> dg.MaterializeResult:
    # Charts and PDF libraries load only when the report runs, not with the definitions.
    from pipelines.reporting.publish import ReportError, write_all

    try:
        written = write_all(osservatorio.load())
    except ReportError as exc:
        context.log.warning(f"no report written: {exc}")
        return dg.MaterializeResult(metadata={"written": False, "reason": str(exc)})
    if written.pdf_problem:
        context.log.warning(f"no PDF: {written.pdf_problem}")
    return dg.MaterializeResult(
        metadata={
            "written": True,
            "html": str(written.html),
            "pdf": str(written.pdf) if written.pdf else f"not written: {written.pdf_problem}",
            "excel": str(written.excel),
            "scorecards": len(written.scorecards),
        }
    )
