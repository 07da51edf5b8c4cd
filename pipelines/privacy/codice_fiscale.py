"""The Italian codice fiscale: check character, omocodia, provisional 11-digit codes.

Pure functions, no I/O. A codice fiscale is never logged or stored: callers pass it
straight to `pipelines.privacy.pseudonym`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ODD = {
    **dict(zip("0123456789", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True)),
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (
                1,
                0,
                5,
                7,
                9,
                13,
                15,
                17,
                19,
                21,
                2,
                4,
                18,
                20,
                11,
                3,
                6,
                8,
                12,
                14,
                16,
                10,
                22,
                25,
                24,
                23,
            ),
            strict=True,
        )
    ),
}
_EVEN = {
    **{str(d): d for d in range(10)},
    **{c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
}
# Omocodia replaces digits of positions 7,8,10,11,13,14,15 (1-based) with these letters.
_OMOCODE_LETTERS = "LMNPQRSTUV"
_OMOCODE_POSITIONS = (6, 7, 9, 10, 12, 13, 14)
_MONTHS = "ABCDEHLMPRST"
_PATTERN = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)


def normalise(value: str) -> str:
    """Case and surrounding (or inner) spaces are ignored."""
    return "".join(str(value).split()).upper()


def check_char(first15: str) -> str:
    total = sum(_ODD[c] if i % 2 == 0 else _EVEN[c] for i, c in enumerate(first15))
    return chr(ord("A") + total % 26)


def is_well_formed(cf: str) -> bool:
    """16 characters in the codice fiscale's layout, or 11 digits (provisional code)."""
    return bool(_PATTERN.match(cf)) or (len(cf) == 11 and cf.isdigit())


def provisional_check_digit(first10: str) -> int:
    """The partita IVA (Luhn-like) algorithm used by 11-digit provisional codes."""
    odd = sum(int(first10[i]) for i in range(0, 10, 2))
    even = 0
    for i in range(1, 10, 2):
        d = int(first10[i]) * 2
        even += d - 9 if d > 9 else d
    return (10 - (odd + even) % 10) % 10


def has_valid_check(cf: str) -> bool:
    if len(cf) == 11 and cf.isdigit():
        return provisional_check_digit(cf[:10]) == int(cf[10])
    return bool(_PATTERN.match(cf)) and check_char(cf[:15]) == cf[15]


@dataclass(frozen=True)
class BirthInfo:
    year_two_digits: int
    sex: str


def _de_omocode(cf: str) -> str:
    chars = list(cf)
    for pos in _OMOCODE_POSITIONS:
        if chars[pos] in _OMOCODE_LETTERS:
            chars[pos] = str(_OMOCODE_LETTERS.index(chars[pos]))
    return "".join(chars)


def birth_info(cf: str) -> BirthInfo | None:
    """Two-digit birth year and sex encoded in a 16-character code (None for 11 digits)."""
    if not _PATTERN.match(cf):
        return None
    plain = _de_omocode(cf)
    day = int(plain[9:11])
    return BirthInfo(int(plain[6:8]), "F" if day > 40 else "M")


def agrees_with(cf: str, birth_year: int | None, sex: str | None) -> tuple[bool, bool]:
    """(birth year agrees, sex agrees); True where the code or the value says nothing."""
    return info_agrees(birth_info(cf), birth_year, sex)


def info_agrees(
    info: BirthInfo | None, birth_year: int | None, sex: str | None
) -> tuple[bool, bool]:
    """`agrees_with` from a code's `birth_info` (computed once per code by validation)."""
    if info is None:
        return True, True
    year_ok = birth_year is None or birth_year % 100 == info.year_two_digits
    sex_ok = sex not in ("M", "F") or sex == info.sex
    return year_ok, sex_ok


def build(consonants6: str, year: int, month: int, day: int, sex: str, belfiore: str) -> str:
    """A syntactically valid code (for synthetic, fictional people only)."""
    dd = day + (40 if sex == "F" else 0)
    first15 = f"{consonants6}{year % 100:02d}{_MONTHS[month - 1]}{dd:02d}{belfiore}"
    return first15 + check_char(first15)


def build_provisional(first10: str) -> str:
    return first10 + str(provisional_check_digit(first10))
