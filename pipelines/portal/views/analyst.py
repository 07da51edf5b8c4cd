"""The analysts' pages: the published reports and exports, and the indicator table (display
values only: a suppressed cell reads `<5`, as everywhere else)."""

from __future__ import annotations

from csp.decorators import csp_update
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pipelines import settings as settings_mod
from pipelines.portal import published
from pipelines.portal.access import roles
from pipelines.portal.models import ANALYST, STEWARD
from pipelines.portal.views.files import download, html_page, inside

REPORT_SUFFIXES = (".html", ".pdf", ".xlsx")


@require_GET
@roles(ANALYST, STEWARD)
def analysis(request: HttpRequest) -> HttpResponse:
    reports = settings_mod.load().home / "reports"
    files = (
        sorted(
            (p for p in reports.glob("*") if p.is_file() and p.suffix in REPORT_SUFFIXES),
            key=lambda p: p.name,
            reverse=True,
        )
        if reports.is_dir()
        else []
    )
    return render(request, "portal/analysis.html", {"files": [p.name for p in files]})


@require_GET
@roles(ANALYST, STEWARD)
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]
def report_file(request: HttpRequest, name: str) -> HttpResponse:
    if not name.endswith(REPORT_SUFFIXES):
        raise Http404
    path = inside(settings_mod.load().home / "reports", name)
    return html_page(path) if path.suffix == ".html" else download(path)


@require_GET
@roles(ANALYST, STEWARD)
def indicators(request: HttpRequest) -> HttpResponse:
    periods, rows = published.indicator_values(settings_mod.load(), request.GET.get("mese"))
    return render(
        request,
        "portal/indicators.html",
        {"periods": periods, "rows": rows, "period": rows[0]["period"] if rows else None},
    )
