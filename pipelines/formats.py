"""Italian formats: the one place where numbers, money, percentages, dates and months become
the text a person reads (reports, scorecards, the export, feedback, e-mails, the portal).

Babel's Italian locale data does the work: `1.234,56`, `1.250,50 €`, `96,4 %`,
`05/03/2026`, `ottobre 2026`. Codes, file names and the JSON of `check` keep their
machine forms; only what is shown to people goes through here.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date as _format_date
from babel.numbers import format_currency, format_decimal, format_percent

from pipelines.period import ROME, first_day, following

LOCALE = "it_IT"
SUPPRESSED = "<5"
NOT_AVAILABLE = "n.d."
NBSP = "\u00a0"

# Vega's d3-format and d3-time-format locales, for the charts' axes and tooltips.
CHART_NUMBER_LOCALE = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", "\u00a0€"],
}
CHART_TIME_LOCALE = {
    "dateTime": "%A %e %B %Y, %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"],
    "shortDays": ["dom", "lun", "mar", "mer", "gio", "ven", "sab"],
    "months": [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    "shortMonths": [
        "gen",
        "feb",
        "mar",
        "apr",
        "mag",
        "giu",
        "lug",
        "ago",
        "set",
        "ott",
        "nov",
        "dic",
    ],
}
MONTHS = tuple(CHART_TIME_LOCALE["months"])
SHORT_MONTHS = tuple(CHART_TIME_LOCALE["shortMonths"])

UNIT_IT = {
    "persons": "persone",
    "households": "nuclei",
    "interventions": "interventi",
    "EUR": "euro",
    "rate": "tasso (percentuale)",
}


def number(x: float | int, decimals: int = 0) -> str:
    """`1.234` or, with decimals, `1.234,50`."""
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(x, format=fmt, locale=LOCALE)


def money(x: float | int, decimals: int = 2) -> str:
    """`1.250,50 €` (a non-breaking space before the euro sign)."""
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0¤"
    return format_currency(x, "EUR", format=fmt, locale=LOCALE, currency_digits=False)


def percent(x: float, decimals: int = 1) -> str:
    """A share (0.9643) as `96,4 %`."""
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0%"
    return format_percent(x, format=fmt, locale=LOCALE)


def signed(text: str, negative: bool) -> str:
    return ("-" if negative else "+") + text


def date(d: dt.date | dt.datetime | str | None) -> str:
    """`05/03/2026`; an ISO string is read first; None is empty."""
    if d is None:
        return ""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    if isinstance(d, dt.datetime):
        d = d.astimezone(ROME).date() if d.tzinfo else d.date()
    return _format_date(d, "dd/MM/yyyy", locale=LOCALE)


def date_time(t: dt.datetime | None) -> str:
    """`05/03/2026 14:30`, in Europe/Rome time."""
    if t is None:
        return ""
    if t.tzinfo:
        t = t.astimezone(ROME)
    return f"{date(t.date())} {t:%H:%M}"


def month(period: str) -> str:
    """`2026-10` -> `ottobre 2026`; a malformed period as it is (a folder may be wrong)."""
    try:
        y, m = int(period[:4]), int(period[5:7])
        return f"{MONTHS[m - 1]} {y}" if len(period) == 7 and period[4] == "-" else period
    except (ValueError, IndexError):
        return period


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_en(period: str) -> str:
    """`2026-10` -> `October 2026`, for the steward's English texts."""
    return f"{MONTHS_EN[int(period[5:7]) - 1]} {int(period[:4])}"


def month_short(period: str) -> str:
    """`2026-10` -> `ott 2026` (chart axes)."""
    y, m = int(period[:4]), int(period[5:7])
    return f"{SHORT_MONTHS[m - 1]} {y}"


def month_days(period: str) -> str:
    """`dal 01/10/2026 al 31/10/2026`: the days a report's dates must fall in."""
    last = first_day(following(period)) - dt.timedelta(days=1)
    return f"dal {date(first_day(period))} al {date(last)}"


def published(display: str | None, unit: str, suppressed: bool = False) -> str:
    """A published figure (the warehouse's `display_value`) as a person reads it: counts
    `1.234`, money `24.713,60 €`, rates `96,4 %` (`percent`: already in percent, `45.5`),
    rates per 1,000 `12,3` (`per_1000`); `<5` and `n.d.` as they are."""
    if suppressed or display == SUPPRESSED:
        return SUPPRESSED
    if display is None or display == "":
        return NOT_AVAILABLE
    try:
        x = float(display)
    except ValueError:
        return display
    if unit == "rate":
        return percent(x)
    if unit == "percent":
        return percent(x / 100)
    if unit == "per_1000":
        return number(x, 1)
    if unit == "EUR":
        return money(x)
    return number(x, 0 if x == int(x) else 2)


def unit_it(unit: str) -> str:
    return UNIT_IT.get(unit, unit)
