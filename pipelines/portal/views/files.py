"""Serving a file of the workspace: only from inside the folder it belongs to."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse


def inside(base: Path, relative: str | Path) -> Path:
    """The file `relative` under `base`, or 404 when it is missing or resolves elsewhere."""
    base = base.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise Http404
    return target


def download(path: Path, name: str | None = None) -> FileResponse:
    return FileResponse(path.open("rb"), as_attachment=True, filename=name or path.name)


def html_page(path: Path) -> HttpResponse:
    """A self-contained HTML page made by the pipeline (feedback, scorecard, report): its
    inline styles are allowed, scripts are not (csp_update on the view)."""
    return HttpResponse(path.read_bytes(), content_type="text/html; charset=utf-8")
