"""The partner's pages: its months, sending a file, the verdict, the history, the template,
its scorecard. Every object is looked up in a queryset already limited to the partner of the
URL, and the URL's partner must be the account's own (`own_partner`): anything else is 404."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from csp.decorators import csp_update
from django.conf import settings as django_settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from pipelines import settings as settings_mod
from pipelines.portal import background, months, published, uploads
from pipelines.portal.access import own_partner, partner_of, roles
from pipelines.portal.forms import UploadForm
from pipelines.portal.models import PARTNER, STEWARD, Upload, record
from pipelines.portal.views.files import download, html_page, inside
from pipelines.settings import Settings

PAGE_STYLES = {"style-src": ["'unsafe-inline'"]}


def _settings() -> Settings:
    return settings_mod.load()


def _uploads(partner: str):  # type: ignore[no-untyped-def]
    return Upload.objects.filter(partner_code=partner)


@require_GET
@roles(PARTNER, STEWARD)
def month_list(request: HttpRequest, partner: str) -> HttpResponse:
    partner = own_partner(request, partner)
    settings = _settings()
    status = {r["period"]: r for r in published.calendar_rows(settings, partner)}
    sent: dict[str, int] = {}
    for u in _uploads(partner).only("period"):
        sent[u.period] = sent.get(u.period, 0) + 1
    rows = [
        {
            "period": p,
            "label": months.label(p),
            "status": published.STATUS_IT.get(status[p]["status"], "") if p in status else "",
            "status_code": status[p]["status"] if p in status else "",
            "approved": bool(status.get(p, {}).get("approved")),
            "due_date": status[p]["due_date"] if p in status else "",
            "sent": sent.get(p, 0),
        }
        for p in reversed(months.open_periods(settings))
    ]
    return render(request, "portal/months.html", {"partner": partner, "rows": rows})


@require_http_methods(["GET", "POST"])
@roles(PARTNER, STEWARD)
def month_detail(request: HttpRequest, partner: str, period: str) -> HttpResponse:
    partner = own_partner(request, partner)
    settings = _settings()
    period = months.checked_period(settings, period)
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if partner_of(request.user) != partner:
            raise Http404  # only the partner itself sends its files
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = _receive(request, settings, partner, period, form.cleaned_data["file"])
            return redirect("portal:upload", partner=partner, pk=upload.pk)
        status = 400
    approved = any(
        r["period"] == period and r["approved"] for r in published.calendar_rows(settings, partner)
    )
    return render(
        request,
        "portal/month.html",
        {
            "partner": partner,
            "period": period,
            "label": months.label(period),
            "form": form,
            "uploads": _uploads(partner).filter(period=period),
            "recorded": _recorded(settings, partner, period),
            "approved": approved,
            "scorecard": _scorecard_path(settings, partner, period).is_file(),
        },
        status=status,
    )


def _receive(request: HttpRequest, settings: Settings, partner: str, period: str, f) -> Upload:  # type: ignore[no-untyped-def]
    got = uploads.receive(settings, partner, period, f)
    v = got.verdict
    upload = Upload.objects.create(
        partner_code=partner,
        period=period,
        file_name=got.inbox_path.name,
        inbox_path=str(got.inbox_path.relative_to(settings.home)),
        sha256=v.drop.sha256,
        size_bytes=v.drop.size,
        status=v.status,
        verdict=_verdict(v),
        annotated_path=str(got.annotated.relative_to(settings.home)) if got.annotated else "",
        uploaded_by=request.user,
        uploaded_at=got.uploaded_at,
    )
    record(
        request.user.get_username(),
        "upload",
        partner,
        period,
        f"upload {upload.pk}: {v.status}, sha256 {v.drop.sha256[:12]}",
    )
    if django_settings.PORTAL_AUTO_INGEST:
        background.request_run()
    return upload


def _verdict(v) -> dict:  # type: ignore[no-untyped-def]
    """`check --format json`, with what each rule expects (the feedback page shows it too)."""
    out = v.as_json()
    out["issues"] = [i.as_json() | {"expected": i.expected} for i in v.issues]
    return out


def _recorded(settings: Settings, partner: str, period: str | None = None) -> list[dict]:
    rows = published.submissions(settings, partner, period)
    for r in rows:
        r["status_it"] = published.STATUS_IT.get(r["status"], r["status"])
        r["received"] = published.local_time(r["received_at"])
    return rows


@require_GET
@roles(PARTNER, STEWARD)
def upload_detail(request: HttpRequest, partner: str, pk: int) -> HttpResponse:
    partner = own_partner(request, partner)
    upload = get_object_or_404(_uploads(partner), pk=pk)
    v = upload.verdict
    closed = upload.status != "rejected" and any(
        r["period"] == upload.period and r["approved"]
        for r in published.calendar_rows(_settings(), partner)
    )
    return render(
        request,
        "portal/upload.html",
        {
            "held": closed,
            "partner": partner,
            "upload": upload,
            "verdict": v,
            "label": months.label(upload.period),
            "issues": v.get("issues", []),
            "uploaded": published.local_time(upload.uploaded_at),
            "errors": sum(i["severity"] == "error" for i in v.get("issues", [])),
            "warnings": sum(i["severity"] == "warning" for i in v.get("issues", [])),
            "status_it": published.STATUS_IT.get(upload.status, upload.status),
        },
    )


@require_GET
@roles(PARTNER, STEWARD)
def annotated(request: HttpRequest, partner: str, pk: int) -> HttpResponse:
    partner = own_partner(request, partner)
    upload = get_object_or_404(_uploads(partner).exclude(annotated_path=""), pk=pk)
    path = inside(
        _settings().home / "portal" / "uploads",
        Path(upload.annotated_path).relative_to("portal/uploads"),
    )
    return download(path, f"segnalazioni_{Path(upload.file_name).stem}.xlsx")


@require_GET
@roles(PARTNER, STEWARD)
def history(request: HttpRequest, partner: str) -> HttpResponse:
    partner = own_partner(request, partner)
    settings = _settings()
    return render(
        request,
        "portal/history.html",
        {
            "partner": partner,
            "uploads": _uploads(partner),
            "recorded": _recorded(settings, partner),
        },
    )


@require_GET
@roles(PARTNER, STEWARD)
@csp_update(PAGE_STYLES)  # type: ignore[arg-type]
def feedback(request: HttpRequest, partner: str, submission_id: str) -> HttpResponse:
    """The feedback page the pipeline wrote for a recorded file (any channel)."""
    partner = own_partner(request, partner)
    settings = _settings()
    found = [
        s for s in published.submissions(settings, partner) if s["submission_id"] == submission_id
    ]
    if not found:
        raise Http404
    s = found[0]
    name = f"esito_{s['sha256'][:8]}_{Path(s['file_name']).stem}.html"
    return html_page(inside(settings.home / "outbox" / partner / s["period"], name))


def _scorecard_path(settings: Settings, partner: str, period: str) -> Path:
    return settings.home / "outbox" / partner / period / f"scorecard_{period}.html"


@require_GET
@roles(PARTNER, STEWARD)
@csp_update(PAGE_STYLES)  # type: ignore[arg-type]
def scorecard(request: HttpRequest, partner: str, period: str) -> HttpResponse:
    partner = own_partner(request, partner)
    settings = _settings()
    period = months.checked_period(settings, period)
    return html_page(
        inside(settings.home / "outbox" / partner / period, f"scorecard_{period}.html")
    )


@require_GET
@roles(PARTNER, STEWARD)
def template(request: HttpRequest) -> HttpResponse:
    from pipelines.ingestion.template import write_template

    out = _settings().home / "portal" / "modello_rendiconto.xlsx"
    if not out.is_file() or out.stat().st_mtime < dt.datetime.now().timestamp() - 86400:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{dt.datetime.now().timestamp()}.tmp.xlsx")
        write_template(tmp)
        tmp.replace(out)
    return download(out, "modello_rendiconto.xlsx")
