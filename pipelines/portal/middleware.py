"""Requests larger than an upload may be are refused before anything reads their body (the
CSRF check would otherwise parse the whole multipart body first); an upload's body is read
here, counted as arriving, so that a check about to start can wait for it to join its pass."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

MARGIN = 64 * 1024  # the form's other fields and the multipart framing


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PORTAL_MAX_UPLOAD_BYTES
        if length > limit + MARGIN:
            body = render_to_string(
                "portal/too_large.html", {"mb": limit // 1024**2 or 1, "back": request.path}
            )
            return HttpResponse(body, status=413)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            from pipelines.portal.checking import arriving

            with arriving():  # a validation pass about to start waits for this file
                request.FILES  # noqa: B018 - reads and parses the body now
        return self.get_response(request)
