"""The steward's pages: the calendar of every partner, the rejected and held files with their
feedback and the quarantined file, the alert log, approvals (approve, reopen with a reason).
Accounts are managed in Django's admin."""

from __future__ import annotations

import json

from django.conf import settings as django_settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from pipelines import settings as settings_mod
from pipelines.alerting.calendar import SYMBOLS
from pipelines.portal import background, published
from pipelines.portal.access import roles
from pipelines.portal.forms import ApproveForm, ReopenForm
from pipelines.portal.models import STEWARD, AuditEvent, record
from pipelines.portal.views.files import download, inside

ALERTS_SHOWN = 200


@require_GET
@roles(STEWARD)
def calendar_grid(request: HttpRequest) -> HttpResponse:
    settings = settings_mod.load()
    rows = published.calendar_rows(settings)
    periods = sorted({r["period"] for r in rows})
    cells = {(r["partner"], r["period"]): r for r in rows}
    grid = [
        {
            "partner": p,
            "cells": [
                {
                    "period": m,
                    "status": cells[(p, m)]["status"],
                    "approved": cells[(p, m)]["approved"],
                    "symbol": SYMBOLS.get(cells[(p, m)]["status"], "?"),
                    "label": published.STATUS_IT.get(cells[(p, m)]["status"], ""),
                }
                if (p, m) in cells
                else None
                for m in periods
            ],
        }
        for p in sorted({r["partner"] for r in rows})
    ]
    attention = [
        r
        | {
            "status_it": published.STATUS_IT.get(r["status"], ""),
            "received": published.local_time(r["received_at"]),
        }
        for r in rows
        if r["status"] in ("rejected", "held")
    ]
    return render(
        request,
        "portal/calendar.html",
        {
            "periods": periods,
            "grid": grid,
            "attention": attention,
            "status_legend": [
                (SYMBOLS[k], v) for k, v in published.STATUS_IT.items() if k in SYMBOLS
            ],
        },
    )


@require_GET
@roles(STEWARD)
def problem_files(request: HttpRequest) -> HttpResponse:
    settings = settings_mod.load()
    rows = published.submissions(settings, statuses=("rejected", "held"))
    for r in rows:
        r["received"] = published.local_time(r["received_at"])
        r["status_it"] = published.STATUS_IT.get(r["status"], r["status"])
    return render(request, "portal/problems.html", {"rows": rows})


@require_GET
@roles(STEWARD)
def quarantined(request: HttpRequest, submission_id: str) -> HttpResponse:
    settings = settings_mod.load()
    s = published.submission(settings, submission_id)
    if s is None or s["status"] != "rejected":
        raise Http404
    folder = settings.home / "quarantine" / s["partner"] / s["period"]
    return download(inside(folder, f"{s['sha256'][:8]}_{s['file_name']}"), s["file_name"])


@require_GET
@roles(STEWARD)
def alerts(request: HttpRequest) -> HttpResponse:
    log = settings_mod.load().home / "logs" / "alerts.jsonl"
    entries = []
    if log.is_file():
        lines = log.read_text(encoding="utf-8").splitlines()[-ALERTS_SHOWN:]
        for line in reversed(lines):
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return render(request, "portal/alerts.html", {"entries": entries})


@require_GET
@roles(STEWARD)
def approvals(request: HttpRequest) -> HttpResponse:
    settings = settings_mod.load()
    rows = published.calendar_rows(settings)
    ready = [
        r | {"status_it": published.STATUS_IT.get(r["status"], "")}
        for r in rows
        if not r["approved"] and r["status"] in ("on_time", "late", "corrected")
    ]
    done = [r for r in rows if r["approved"]]
    return render(
        request,
        "portal/approvals.html",
        {
            "approve_form": ApproveForm(prefix="a"),
            "reopen_form": ReopenForm(prefix="r"),
            "ready": ready,
            "done": done,
            "events": AuditEvent.objects.filter(action__in=("approve", "reopen"))[:50],
        },
    )


def _by(request: HttpRequest) -> str:
    return request.user.get_username()


def _invalid(request: HttpRequest, form) -> HttpResponse:  # type: ignore[no-untyped-def]
    """A form that did not validate: its errors on the approvals page."""
    messages.error(
        request,
        "Dati non validi: " + "; ".join(e for errs in form.errors.values() for e in errs),
    )
    return redirect("portal:approvals")


@require_POST
@roles(STEWARD)
def approve(request: HttpRequest) -> HttpResponse:
    from pipelines.approval.steward import approve as approve_month

    form = ApproveForm(request.POST, prefix="a")
    if not form.is_valid():
        return _invalid(request, form)
    d = form.cleaned_data
    out = approve_month(
        settings_mod.load(), d["period"], _by(request), d["partner"] or None, d["note"] or None
    )
    for p, m, sha in out.done:
        record(_by(request), "approve", p, m, f"version {str(sha)[:12]}; {d['note']}".strip("; "))
        messages.success(request, f"Approvato {p} {m}.")
    for p, m, why in out.refused:
        messages.warning(request, f"Non approvato {p} {m}: {why}")
    if out.ok:
        _rebuild()
    return redirect("portal:approvals")


@require_POST
@roles(STEWARD)
def reopen(request: HttpRequest) -> HttpResponse:
    from pipelines.approval.steward import reopen as reopen_month

    form = ReopenForm(request.POST, prefix="r")
    if not form.is_valid():
        return _invalid(request, form)
    d = form.cleaned_data
    out = reopen_month(settings_mod.load(), d["period"], d["partner"], _by(request), d["reason"])
    for p, m, _ in out.done:
        record(_by(request), "reopen", p, m, d["reason"])
        messages.success(request, f"Riaperto {p} {m}: i file in attesa saranno applicati.")
    for p, m, why in out.refused:
        messages.warning(request, f"Non riaperto {p} {m}: {why}")
    if out.ok:
        _rebuild(ingest=True)
    return redirect("portal:approvals")


def _rebuild(ingest: bool = False) -> None:
    if django_settings.PORTAL_AUTO_INGEST:
        background.request_run(build_only=not ingest)
