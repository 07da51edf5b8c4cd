"""Sheets to bytes: xlsx (openpyxl, write-only), ods (hand-written), csv; corrupt files.

Output is byte-for-byte reproducible: zip entries carry a fixed timestamp and the xlsx
document properties carry the arrival time passed in, never the clock.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from pipelines.synthetic.layout import Sheet

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry the same timestamp (openpyxl writes through it)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def,override]
        if isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zinfo_or_arcname
            info.date_time = ZIP_EPOCH
        else:
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=ZIP_EPOCH)
            info.compress_type = compress_type if compress_type is not None else self.compression
        info.external_attr = 0o600 << 16
        super().writestr(info, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def,override]
        with open(filename, "rb") as fh:  # openpyxl hands over a temp-file path
            self.writestr(arcname or filename, fh.read(), compress_type, compresslevel)


def xlsx_bytes(sheets: list[Sheet], stamp: datetime) -> bytes:
    wb = Workbook(write_only=True)
    wb.properties.creator = "Ente partner"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for row in sheet.grid:
            ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buf = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would stamp the current time.
    archive = _FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()
    return buf.getvalue()


# -- csv ------------------------------------------------------------------------------
def _csv_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, Decimal):
        return f"{v:.2f}".replace(".", ",")
    if isinstance(v, float):
        return f"{v:g}".replace(".", ",")
    return str(v)


def csv_bytes(sheet: Sheet) -> bytes:
    """Semicolon-separated, Windows-1252, decimal comma, dd/mm/yyyy, CRLF (Excel's export)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for row in sheet.grid:
        w.writerow([_csv_text(v) for v in row])
    return buf.getvalue().encode("cp1252")


# -- ods ------------------------------------------------------------------------------
_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
)
_ODS_STYLES = (
    '<office:automatic-styles><number:date-style style:name="N1">'
    '<number:day number:style="long"/><number:text>/</number:text>'
    '<number:month number:style="long"/><number:text>/</number:text>'
    '<number:year number:style="long"/></number:date-style>'
    '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>'
    "</office:automatic-styles>"
)
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    f'manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_EMPTY_CELL = "<table:table-cell/>"


def _ods_cell(v: object) -> str:
    if v is None:
        return _EMPTY_CELL
    if isinstance(v, date):
        return (
            f'<table:table-cell table:style-name="ce1" office:value-type="date" '
            f'office:date-value="{v.isoformat()}"><text:p>{v.strftime("%d/%m/%Y")}'
            "</text:p></table:table-cell>"
        )
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        raw = f"{v:.2f}" if isinstance(v, Decimal) else f"{v:g}" if isinstance(v, float) else str(v)
        return (
            f'<table:table-cell office:value-type="float" office:value="{raw}">'
            f"<text:p>{raw.replace('.', ',')}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}'
        "</text:p></table:table-cell>"
    )


def ods_bytes(sheets: list[Sheet]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<office:document-content {_ODS_NS} office:version="1.2">',
        _ODS_STYLES,
        "<office:body><office:spreadsheet>",
    ]
    for sheet in sheets:
        parts.append(f"<table:table table:name={quoteattr(sheet.name)}>")
        for row in sheet.grid:
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            parts.append("<table:table-row>")
            parts.append("".join(_ods_cell(v) for v in cells) if cells else _EMPTY_CELL)
            parts.append("</table:table-row>")
        parts.append("</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        # The mimetype entry first and stored, as ODF requires.
        z.writestr(
            zipfile.ZipInfo("mimetype", date_time=ZIP_EPOCH),
            ODS_MIMETYPE,
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr(
            zipfile.ZipInfo("META-INF/manifest.xml", date_time=ZIP_EPOCH),
            _ODS_MANIFEST,
            compress_type=zipfile.ZIP_DEFLATED,
        )
        z.writestr(
            zipfile.ZipInfo("content.xml", date_time=ZIP_EPOCH),
            "".join(parts),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buf.getvalue()


# -- broken files ---------------------------------------------------------------------
def unreadable_bytes(rng: random.Random, good: bytes) -> bytes:
    """Either a truncated zip (an upload cut short) or bytes that are no format at all."""
    if rng.random() < 0.5:
        return good[: max(64, int(len(good) * rng.uniform(0.3, 0.7)))]
    noise = bytearray(rng.randbytes(rng.randint(2_000, 20_000)))
    noise[0:4] = b"\x00\x13\x37\x00"  # never the signature of a zip, an OLE file or text
    return bytes(noise)
