"""Each partner's own way of filling the report, fixed from the seed for the whole run."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipelines.ingestion.columns import AREAS, INTERVENTI, SPESE, Column

FORMATS = ("xlsx", "csv", "ods")
# Columns partners most often rename (partner-report.md lists these aliases).
_ALIASED = (
    "codice_fiscale",
    "codice_nucleo",
    "data_intervento",
    "importo_euro",
    "componenti_nucleo",
    "minori_nucleo",
    "tipo_intervento",
    "id_intervento",
)
# Rows above the header: "T" a title line, "" a blank row.
LEADING_ROWS = ((), ("T",), ("T", "S"), ("T", ""), ("",))
_SHEET_NAMES: tuple[tuple[str, str | None], ...] = (
    ("interventi", "spese"),
    ("interventi", "spese"),
    ("Interventi", "Spese"),
    ("INTERVENTI", "SPESE"),
)
_AREA_WEIGHTS = {"POV": 45, "CASA": 20, "LAV": 20, "LEG": 15}


@dataclass(frozen=True)
class Habits:
    partner: str
    format: str  # xlsx | csv | ods
    areas: tuple[str, ...]
    size_factor: float  # 0.3 .. 2: the partner's volume relative to the mean
    leading_rows: tuple[str, ...]
    interventi_headers: dict[str, str]  # canonical column -> header as written
    spese_headers: dict[str, str]
    interventi_sheet: str  # "interventi", "Interventi", ... or "Foglio1" (then no spese sheet)
    spese_sheet: str | None
    totals_row: bool
    formula_totals: bool  # xlsx only: the totals row holds =SUM() formulas
    note_column: bool  # an extra "Note operatore" column
    id_style: str  # prefixed | numeric | running
    comune_style: str  # code | name | mixed
    anonimo_only_si: bool  # the Anonimo cell is left blank unless SI
    cf_style: str  # upper | lower | messy (a few lower-case or space-padded codes)
    zero_amounts: bool  # non-monetary services get 0 instead of an empty amount
    fills_ore: bool
    fills_optional_esito: bool
    citizenship_fill: float
    inviante_fill: float
    sort_by_date: bool
    name_style: int
    anonymous_share: float


def _deck(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """n labels in the given shares (rounded), shuffled: small runs still see every kind."""
    out: list[str] = []
    keys = list(shares)
    for k in keys[1:]:
        out += [k] * round(n * shares[k])
    out = out[:n]
    out += [keys[0]] * (n - len(out))
    rng.shuffle(out)
    return out


def _flags(rng: random.Random, n: int, share: float) -> list[bool]:
    """n flags of which round(n * share) are set, shuffled (rare habits still show up)."""
    return [x == "yes" for x in _deck(rng, n, {"no": 1 - share, "yes": share})]


def _headers(
    rng: random.Random,
    columns: tuple[Column, ...],
    use_aliases: bool,
    aliased: tuple[str, ...],
    upper: bool,
) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in columns:
        header = col.template_header
        if use_aliases and col.name in aliased and col.aliases and rng.random() < 0.6:
            header = rng.choice(col.aliases)
        out[col.name] = header.upper() if upper else header
    return out


def draw_habits(seed: int, partner_codes: list[str]) -> dict[str, Habits]:
    deck_rng = random.Random(f"{seed}:habits")
    n = len(partner_codes)
    formats = _deck(deck_rng, n, {"xlsx": 0.5, "csv": 0.25, "ods": 0.25})
    # Sizes spread 0.3x..2x around the mean, rescaled so the mean partner gets the mean.
    raw = [0.3 * (2 / 0.3) ** deck_rng.random() for _ in partner_codes]
    mean = sum(raw) / n
    sizes = [round(min(2.0, max(0.3, x / mean)), 3) for x in raw]
    notes = _flags(deck_rng, n, 0.15)
    totals_flags = _flags(deck_rng, n, 0.25)
    # Among the xlsx partners, a quarter leave LibreOffice's or Excel's default sheet name.
    foglio = iter(_flags(deck_rng, formats.count("xlsx"), 0.25))
    out: dict[str, Habits] = {}
    for i, (code, fmt, size) in enumerate(zip(partner_codes, formats, sizes, strict=True)):
        rng = random.Random(f"{seed}:habits:{code}")
        n_areas = rng.choices((1, 2, 3), weights=(40, 40, 20))[0]
        areas: list[str] = []
        while len(areas) < n_areas:
            a = rng.choices(AREAS, weights=[_AREA_WEIGHTS[x] for x in AREAS])[0]
            if a not in areas:
                areas.append(a)
        use_aliases = rng.random() < 0.4
        upper = rng.random() < 0.1
        interventi_headers = _headers(rng, INTERVENTI, use_aliases, _ALIASED, upper)
        spese_headers = _headers(rng, SPESE, use_aliases, ("importo_totale", "voce"), upper)
        sheet, spese_sheet = rng.choice(_SHEET_NAMES)
        if fmt == "xlsx" and next(foglio):
            sheet, spese_sheet = "Foglio1", None
        totals = totals_flags[i]
        out[code] = Habits(
            partner=code,
            format=fmt,
            areas=tuple(sorted(areas, key=AREAS.index)),
            size_factor=size,
            leading_rows=rng.choices(LEADING_ROWS, weights=(50, 20, 15, 10, 5))[0],
            interventi_headers=interventi_headers,
            spese_headers=spese_headers,
            interventi_sheet=sheet,
            spese_sheet=spese_sheet,
            totals_row=totals,
            formula_totals=totals and fmt == "xlsx" and rng.random() < 0.5,
            note_column=notes[i],
            id_style=rng.choices(("prefixed", "numeric", "running"), weights=(45, 35, 20))[0],
            comune_style=rng.choices(("code", "name", "mixed"), weights=(60, 30, 10))[0],
            anonimo_only_si=rng.random() < 0.3,
            cf_style=rng.choices(("upper", "lower", "messy"), weights=(80, 8, 12))[0],
            zero_amounts=rng.random() < 0.15,
            fills_ore=rng.random() < 0.5,
            fills_optional_esito=rng.random() < 0.7,
            citizenship_fill=rng.choice((1.0, 1.0, 0.95, 0.8)),
            inviante_fill=rng.choice((1.0, 0.95, 0.85, 0.7)),
            sort_by_date=rng.random() < 0.6,
            name_style=rng.choices((0, 1, 2), weights=(60, 25, 15))[0],
            anonymous_share=rng.uniform(0.05, 0.3),
        )
    return out
