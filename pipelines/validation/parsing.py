"""Parsers for what partners type: numbers with decimal comma or point, dates, codes.

Pure functions returning None for blank and raising nothing: a value that does not parse
yields `INVALID`, which the rules turn into an Italian message naming row and column.
"""

from __future__ import annotations

import datetime as dt
import re

INVALID = object()  # a value was given but cannot be read as the expected type

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_INT = re.compile(r"^[+-]?\d+$")
_DEC_POINT = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
_DEC_COMMA = re.compile(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$")
_THOUSANDS_ONLY_POINT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_number(text: str | None, decimal_comma: bool = False) -> float | object | None:
    """'1.234,56', '1234,56', '1,234.56', '1234.56', '€ 50' -> float; '' -> None."""
    if text is None:
        return None
    s = _SPACES.sub("", str(text)).replace("€", "").replace("EUR", "").replace("eur", "")
    if not s or s in ("-", "--", "/"):
        return None
    if s.startswith("(") and s.endswith(")"):
        s = "-" + s[1:-1]
    if "," in s and "." in s:
        comma_decimal = s.rfind(",") > s.rfind(".")
    elif "," in s:
        comma_decimal = True
    elif "." in s and decimal_comma and _THOUSANDS_ONLY_POINT.match(s):
        comma_decimal = True  # '1.500' in an Italian file is fifteen hundred
    else:
        comma_decimal = False
    if comma_decimal:
        if not _DEC_COMMA.match(s):
            return INVALID
        s = s.replace(".", "").replace(",", ".")
    else:
        if not _DEC_POINT.match(s):
            return INVALID
        s = s.replace(",", "")
    try:
        value = float(s)
    except ValueError:
        return INVALID
    if value != value or value in (float("inf"), float("-inf")):
        return INVALID
    return value


def parse_int(text: str | None, decimal_comma: bool = False) -> int | object | None:
    """Whole numbers only; '3,0' and '3.0' are accepted as 3."""
    value = parse_number(text, decimal_comma)
    if value is None or value is INVALID:
        return value
    assert isinstance(value, float)
    if not value.is_integer() or abs(value) > 10**9:
        return INVALID
    return int(value)


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_date(text: str | None) -> dt.date | object | None:
    """dd/mm/yyyy (also - or .), ISO yyyy-mm-dd (with a time), or a spreadsheet serial."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    try:
        m = _ISO.match(s)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(s)
        if m:
            year = int(m[3])
            if year < 100:
                year += 2000
            return dt.date(year, int(m[2]), int(m[1]))
        if re.fullmatch(r"\d{5}(\.0+)?", s):
            serial = int(float(s))
            if 20000 <= serial <= 80000:
                return _EXCEL_EPOCH + dt.timedelta(days=serial)
    except (ValueError, OverflowError):
        return INVALID
    return INVALID


def parse_code(text: str | None) -> str | None:
    """Codes compare upper-case, without surrounding spaces; spaces inside become '_'."""
    if text is None:
        return None
    s = "_".join(str(text).strip().upper().split())
    return s or None


def parse_service(text: str | None) -> str | None:
    """A service as the template's drop-down writes it, `POV01 – Pacco / emporio
    alimentare`, is its code; a bare code as it is."""
    if text is None:
        return None
    for dash in ("\u2013", "\u2014", " - "):
        if dash in text:
            text = text.split(dash, 1)[0]
            break
    return parse_code(text)


def parse_yes_no(text: str | None) -> str | None:
    code = parse_code(text)
    if code is None:
        return None
    return {
        "SÌ": "SI",
        "SÍ": "SI",
        "S": "SI",
        "YES": "SI",
        "TRUE": "SI",
        "1": "SI",
        "N": "NO",
        "FALSE": "NO",
        "0": "NO",
    }.get(code, code)
