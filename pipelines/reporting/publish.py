"""Write everything the month publishes: the report (HTML, PDF), every partner's scorecard
in its outbox, and the Excel export. One function for the CLI, Dagster and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.reporting import excel, monthly, pdf, scorecard
from pipelines.reporting.data import Warehouse
from pipelines.settings import Settings


class ReportError(Exception):
    """No published warehouse, or the period is not one of its months."""


@dataclass
class Written:
    html: Path
    pdf: Path | None  # None when Chromium is missing: `pdf_problem` says so
    excel: Path
    scorecards: list[Path] = field(default_factory=list)
    pdf_problem: str | None = None


def report_dir(settings: Settings) -> Path:
    return settings.home / "reports"


def scorecard_path(settings: Settings, partner_code: str, period: str) -> Path:
    return settings.home / "outbox" / partner_code / period / f"scorecard_{period}.html"


def write_all(settings: Settings, period: str | None = None) -> Written:
    """The month's report, scorecards and export from the published copy (latest due month
    when no period is given)."""
    published = settings.home / "published" / "warehouse.duckdb"
    if not published.exists():
        raise ReportError(f"no published warehouse in {settings.home}: run `osservatorio build`")
    with Warehouse(published) as wh:
        period = period or wh.latest_due_period()
        periods = wh.periods("9999-12")
        if period is None or period not in periods:
            raise ReportError(
                f"the warehouse has no month {period}: it holds "
                f"{periods[0] if periods else '-'} to {periods[-1] if periods else '-'}"
            )
        out = report_dir(settings)
        out.mkdir(parents=True, exist_ok=True)
        html = out / f"report_{period}.html"
        html.write_text(monthly.render(wh, period), encoding="utf-8")
        xlsx = excel.write(wh, periods[0], period, out / f"indicatori_{periods[0]}_{period}.xlsx")
        cards = []
        for p in wh.partners():
            path = scorecard_path(settings, p["partner_code"], period)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(scorecard.render(wh, p["partner_code"], period), encoding="utf-8")
            cards.append(path)
    written = Written(html=html, pdf=None, excel=xlsx, scorecards=cards)
    try:
        written.pdf = pdf.print_to_pdf(html, html.with_suffix(".pdf"))
    except pdf.PdfError as exc:  # the HTML, the scorecards and the export stand on their own
        written.pdf_problem = str(exc)
    return written
