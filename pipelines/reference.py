"""Reference data from `seeds/`: the service catalogue, partners, municipalities, calendar.

The seeds are the one home of reference facts: dbt loads them into the warehouse and the
Python stages read the same files here.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Service:
    code: str
    area: str
    label: str
    monetary: bool
    anonymous_allowed: bool
    outcome_required: bool
    outcomes: tuple[str, ...]


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    consortium: str
    budget_eur: float
    active_from: str | None
    active_to: str | None


@cache
def services() -> dict[str, Service]:
    outcomes: dict[str, list[str]] = {}
    for r in _rows("service_outcomes.csv"):
        outcomes.setdefault(r["service_code"], []).append(r["outcome_code"])
    return {
        r["service_code"]: Service(
            r["service_code"],
            r["area_code"],
            r["service_label_it"],
            r["is_monetary"] == "true",
            r["anonymous_allowed"] == "true",
            r["outcome_required"] == "true",
            tuple(outcomes.get(r["service_code"], ())),
        )
        for r in _rows("services.csv")
    }


@cache
def areas() -> dict[str, str]:
    """Area code -> Italian label (seeds/areas.csv)."""
    return {r["area_code"]: r["area_label_it"] for r in _rows("areas.csv")}


@cache
def partners() -> dict[str, Partner]:
    return {
        r["partner_code"]: Partner(
            r["partner_code"],
            r["partner_name"],
            r["consortium_code"],
            float(r["budget_eur"]),
            r["active_from"] or None,
            r["active_to"] or None,
        )
        for r in _rows("partners.csv")
    }


@cache
def calendar_settings() -> dict[str, str]:
    return {r["setting"]: r["value"] for r in _rows("reporting_calendar.csv")}


# What spreadsheets type for an apostrophe or a dash (LibreOffice's autocorrect turns
# `d'Adda` into `d’Adda`): read as the plain characters before anything is dropped.
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u2032": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)


def fold_name(text: str) -> str:
    """Municipality names compare without case, accents, apostrophes (plain or typographic),
    dashes or extra spaces: `Spino d’Adda` = `spino d'adda` = `SPINO D ADDA`."""
    text = text.translate(_TYPOGRAPHIC)
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(s.replace("'", " ").replace("-", " ").split())


@cache
def municipalities() -> dict[str, dict[str, str]]:
    """ISTAT code -> row of seeds/municipalities.csv."""
    return {r["istat_code"]: r for r in _rows("municipalities.csv")}


@cache
def municipality_by_name() -> dict[str, str]:
    """Folded name -> ISTAT code (names that are ambiguous across Italy map to None)."""
    out: dict[str, str] = {}
    dup: set[str] = set()
    for code, r in municipalities().items():
        key = fold_name(r["municipality_name"])
        if key in out:
            dup.add(key)
        out[key] = code
    for key in dup:
        out.pop(key, None)
    return out


@cache
def ambito_codes() -> tuple[str, ...]:
    return tuple(c for c, r in municipalities().items() if r["is_ambito_cremasco"] == "true")
