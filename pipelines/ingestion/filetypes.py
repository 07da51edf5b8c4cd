"""What a file really is, before any parser touches it: type by content, size, zip bombs.

Checks are cheap (magic bytes, the zip's central directory) so hostile input is turned
away before a parser spends memory on it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipelines.issues import Issue, file_issue

ACCEPTED = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
ZIP_FORMATS = {".xlsx", ".xlsm", ".ods"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A workbook expands 5-20x when unzipped; far beyond that is a zip bomb.
MAX_EXPANSION_RATIO = 200
MAX_EXPANDED_BYTES = 2 * 1024**3

_SIGNATURES = (
    (b"%PDF", "un documento PDF"),
    (b"\x89PNG", "un'immagine PNG"),
    (b"\xff\xd8\xff", "un'immagine JPEG"),
    (b"{\\rtf", "un documento RTF"),
    (b"<!DOCTYPE html", "una pagina web"),
    (b"<html", "una pagina web"),
)


def precheck(path: Path, max_bytes: int) -> list[Issue]:
    """File-level errors that make reading pointless; empty when the file may be parsed."""
    ext = path.suffix.lower()
    if ext not in ACCEPTED:
        return [file_issue("file_type_not_accepted", ext=ext or "senza estensione")]
    size = path.stat().st_size
    if size == 0:
        return [file_issue("file_empty")]
    if size > max_bytes:
        return [
            file_issue(
                "file_too_large",
                size_mb=f"{size / 1024**2:.1f}",
                max_mb=f"{max_bytes / 1024**2:.0f}",
            )
        ]
    with path.open("rb") as fh:
        head = fh.read(64)
    if not head.strip(b" \t\r\n\x00"):
        return [file_issue("file_empty")]
    for magic, what in _SIGNATURES:
        if head.lstrip().lower().startswith(magic.lower()):
            return [file_issue("file_type_mismatch", ext=ext, found=what)]
    if ext in ZIP_FORMATS:
        if head.startswith(OLE_MAGIC):
            # An encrypted OOXML package is an OLE container holding "EncryptedPackage".
            data = path.read_bytes()
            if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptedPackage" in data:
                return [file_issue("file_password_protected")]
            return [file_issue("file_type_mismatch", ext=ext, found="un file Excel 97-2003 (.xls)")]
        if not head.startswith(b"PK"):
            return [file_issue("file_unreadable")]
        return _zip_checks(path, size)
    if ext == ".xls" and not head.startswith(OLE_MAGIC):
        if head.startswith(b"PK"):
            return [file_issue("file_type_mismatch", ext=ext, found="un file .xlsx o .ods")]
        if _looks_like_text(head) and (b";" in head or b"," in head or b"\t" in head):
            return [file_issue("file_type_mismatch", ext=ext, found="un file di testo (CSV)")]
        return [file_issue("file_unreadable")]
    return []


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return not any(b < 9 or 13 < b < 32 for b in head)


def _zip_checks(path: Path, size: int) -> list[Issue]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if any(i.flag_bits & 0x1 for i in infos):
                return [file_issue("file_password_protected")]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        # NotImplementedError: a damaged header claims a zip version or method zipfile lacks
        return [file_issue("file_unreadable")]
    expanded = sum(i.file_size for i in infos)
    ratio = expanded / max(size, 1)
    if expanded > MAX_EXPANDED_BYTES or (ratio > MAX_EXPANSION_RATIO and expanded > 50 * 1024**2):
        return [file_issue("file_zip_bomb", ratio=f"{ratio:.0f}")]
    if path.suffix.lower() == ".ods":
        if "content.xml" not in names:
            if "xl/workbook.xml" in names:
                return [file_issue("file_type_mismatch", ext=".ods", found="un file Excel (.xlsx)")]
            return [file_issue("file_unreadable")]
    elif "xl/workbook.xml" not in names:
        if "content.xml" in names:
            return [
                file_issue(
                    "file_type_mismatch",
                    ext=path.suffix.lower(),
                    found="un foglio OpenDocument (.ods)",
                )
            ]
        if "word/document.xml" in names:
            return [
                file_issue("file_type_mismatch", ext=path.suffix.lower(), found="un documento Word")
            ]
        return [file_issue("file_unreadable")]
    return []
