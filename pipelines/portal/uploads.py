"""A file sent through the portal: checked at once with the same validation as ingestion,
then dropped in `inbox/<PARTNER>/<YYYY-MM>/` (its modification time: the upload) for the
pipeline to record. The client's file name is never trusted: it is reduced to a plain name
inside the partner's own month folder, and an existing file is never overwritten."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from pipelines.ingestion.inbox import drop_of
from pipelines.portal.checking import check
from pipelines.settings import Settings
from pipelines.validation.evaluate import REJECTED, FileVerdict
from pipelines.validation.feedback import HEADER_RULES
from pipelines.workspace import Workspace

MAX_NAME = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(client_name: str) -> str:
    """A plain file name from whatever the browser sent: no folders, no hidden or temporary
    names (the inbox scan skips those), ASCII letters, digits, dot, dash, underscore."""
    base = client_name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = _UNSAFE.sub("_", base.lstrip(" .~$")).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if ext.lower() in ("part", "tmp"):
        stem, ext = f"{stem}_{ext}", ""
    stem = stem.strip(" .") or "rendiconto"
    ext = ext[:10]
    stem = stem[: MAX_NAME - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


@dataclass
class Received:
    verdict: FileVerdict
    inbox_path: Path
    annotated: Path | None
    uploaded_at: dt.datetime


def _portal_dir(settings: Settings) -> Path:
    return settings.home / "portal"


def _place_in_inbox(src: Path, folder: Path, name: str, mtime: float) -> Path:
    """Copy to a hidden part file, then link it under the first free name: atomic (the scan
    never sees half a file) and never replacing a file not yet recorded."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{uuid.uuid4().hex}.part"
    shutil.copyfile(src, part)
    os.utime(part, (mtime, mtime))
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    try:
        for n in range(1, 1000):
            candidate = name if n == 1 else f"{stem}_{n}{'.' + ext if ext else ''}"
            target = folder / candidate
            try:
                os.link(part, target)
                return target
            except FileExistsError:
                continue
        raise FileExistsError(f"no free name for {name} in {folder}")
    finally:
        part.unlink(missing_ok=True)


def receive(settings: Settings, partner: str, period: str, upload: UploadedFile) -> Received:
    """Check the file as ingestion will, keep the annotated workbook of a rejected file, drop
    the file in the inbox. The portal's own copy is removed (the archive keeps the file)."""
    now = dt.datetime.now(dt.UTC)
    staging = _portal_dir(settings) / "uploads" / uuid.uuid4().hex
    staging.mkdir(parents=True)
    name = safe_name(upload.name or "")
    local = staging / name
    with local.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    os.utime(local, (now.timestamp(), now.timestamp()))
    verdict = check(drop_of(local, partner, period), settings)
    annotated = None
    if (
        verdict.status == REJECTED
        and verdict.tables
        and any(i.row is not None and i.rule not in HEADER_RULES for i in verdict.issues)
    ):
        from pipelines.validation.annotate import annotated_workbook

        try:
            annotated = annotated_workbook(verdict, staging / "segnalazioni.xlsx")
        except Exception:  # the page says everything the workbook would
            annotated = None
    ws = Workspace(settings.home).ensure()
    inbox_path = _place_in_inbox(local, ws.inbox / partner / period, name, now.timestamp())
    local.unlink()
    return Received(verdict, inbox_path, annotated, now)
