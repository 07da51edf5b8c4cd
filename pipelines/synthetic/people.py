"""A pool of fictional people and their households, with valid codici fiscali.

People are created on demand by the partners' activity and kept for the whole run, so the
same person comes back month after month and can be served by two or three partners.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date

from pipelines import reference
from pipelines.ingestion.columns import NO_FIXED_ABODE
from pipelines.privacy import codice_fiscale as cf
from pipelines.synthetic import names

CREMA = "019035"
# Nearby municipalities outside the Ambito Cremasco where a few people live.
OUTSIDE_RESIDENCES = ("019036", "098031", "015146", "016024", "016219", "017029")
_VOWELS = "AEIOU"
MAX_PARTNERS_PER_PERSON = 3


@dataclass
class Household:
    hid: int
    members: int
    minors: int
    residence: str  # ISTAT code or SFD


@dataclass
class Person:
    pid: int
    surname: str
    name: str
    sex: str
    birth: date
    codice_fiscale: str  # upper case; 16 characters or 11 digits (provisional)
    cf_kind: str  # standard | omocodia | provisional
    citizenship: str
    household: Household
    partners: list[str] = field(default_factory=list)


def _letters(text: str) -> str:
    return "".join(c for c in text.upper() if "A" <= c <= "Z")


def consonants6(surname: str, name: str) -> str:
    """The six letters of surname and name (the codice fiscale's own rules)."""
    s, n = _letters(surname), _letters(name)
    s_cons = [c for c in s if c not in _VOWELS]
    s_vow = [c for c in s if c in _VOWELS]
    n_cons = [c for c in n if c not in _VOWELS]
    n_vow = [c for c in n if c in _VOWELS]
    part1 = ("".join(s_cons + s_vow) + "XXX")[:3]
    if len(n_cons) >= 4:
        part2 = n_cons[0] + n_cons[2] + n_cons[3]
    else:
        part2 = ("".join(n_cons + n_vow) + "XXX")[:3]
    return part1 + part2


def omocode(code: str, digits: int = 1) -> str:
    """Replace the rightmost `digits` digits with their omocodia letters (new check char)."""
    chars = list(code[:15])
    for pos in reversed(cf._OMOCODE_POSITIONS[-digits:]):  # the privacy module's own table
        if chars[pos].isdigit():
            chars[pos] = cf._OMOCODE_LETTERS[int(chars[pos])]
    first15 = "".join(chars)
    return first15 + cf.check_char(first15)


class PeoplePool:
    """Every fictional person of a run; codes are unique (omocodia resolves clashes)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.people: list[Person] = []
        self._codes: set[str] = set()  # membership only, never iterated
        self._households = 0
        munis = reference.municipalities()
        self._ambito_other = tuple(c for c in reference.ambito_codes() if c != CREMA)
        ambito_belfiore = tuple(munis[c]["belfiore_code"] for c in reference.ambito_codes())
        self._italian_belfiore = tuple(sorted(r["belfiore_code"] for r in munis.values()))
        self._near_belfiore = ambito_belfiore + tuple(
            munis[c]["belfiore_code"] for c in OUTSIDE_RESIDENCES
        )

    # -- households -------------------------------------------------------------------
    def residence(self) -> str:
        r = self._rng.random()
        if r < 0.45:
            return CREMA
        if r < 0.89:
            return self._rng.choice(self._ambito_other)
        if r < 0.96:
            return self._rng.choice(OUTSIDE_RESIDENCES)
        return NO_FIXED_ABODE

    def new_household(self, *, with_minor_person: bool = False) -> Household:
        rng = self._rng
        self._households += 1
        residence = self.residence()
        if residence == NO_FIXED_ABODE and not with_minor_person:
            return Household(self._households, rng.choice((1, 1, 1, 2)), 0, residence)
        members = rng.choices(range(1, 9), weights=(28, 20, 18, 16, 9, 5, 3, 1))[0]
        if with_minor_person:
            members = max(members, 2)
        minors = 0
        if members >= 2 and (with_minor_person or rng.random() < 0.55):
            minors = rng.randint(1, min(4, members - 1))
        return Household(self._households, members, minors, residence)

    # -- people -----------------------------------------------------------------------
    def new_person(
        self, year: int, *, household: Household | None = None, minor: bool | None = None
    ) -> Person:
        rng = self._rng
        if minor is None:
            minor = rng.random() < 0.05
        if household is None:
            household = self.new_household(with_minor_person=minor)
        elif minor and household.minors == 0:
            household.minors = 1
            household.members = max(household.members, 2)
        age = rng.randint(15, 17) if minor else int(rng.triangular(18, 88, 42))
        birth_year = year - age
        birth_month = rng.randint(1, 12)
        birth_day = rng.randint(1, calendar.monthrange(birth_year, birth_month)[1])
        sex = rng.choice("MF")
        r = rng.random()
        citizenship = "ITA" if r < 0.70 else ("UE" if r < 0.78 else "EXTRA_UE")
        if citizenship == "ITA":
            surname = rng.choice(names.SURNAMES_IT)
            name = rng.choice(names.MALE_IT if sex == "M" else names.FEMALE_IT)
            b = rng.random()
            if b < 0.65:
                birthplace = rng.choice(self._near_belfiore)
            elif b < 0.92:
                birthplace = rng.choice(self._italian_belfiore)
            else:
                birthplace = rng.choice(names.BIRTH_COUNTRIES_EXTRA_UE)
        else:
            surname = rng.choice(names.SURNAMES_FOREIGN)
            name = rng.choice(names.MALE_FOREIGN if sex == "M" else names.FEMALE_FOREIGN)
            abroad = (
                names.BIRTH_COUNTRIES_UE if citizenship == "UE" else names.BIRTH_COUNTRIES_EXTRA_UE
            )
            born_here = minor or rng.random() < 0.12
            birthplace = rng.choice(self._near_belfiore if born_here else abroad)
        kind = "standard"
        if citizenship == "EXTRA_UE" and not minor and rng.random() < 0.07:
            code, kind = self._provisional(), "provisional"
        else:
            code = cf.build(
                consonants6(surname, name), birth_year, birth_month, birth_day, sex, birthplace
            )
            if rng.random() < 0.005:
                code, kind = omocode(code), "omocodia"
            digits = 1
            while code in self._codes:  # two fictional people share the same data: omocodia
                if digits > len(cf._OMOCODE_POSITIONS):
                    code, kind = self._provisional(), "provisional"
                    break
                code, kind = omocode(code, digits), "omocodia"
                digits += 1
        self._codes.add(code)
        person = Person(
            len(self.people) + 1,
            surname,
            name,
            sex,
            date(birth_year, birth_month, birth_day),
            code,
            kind,
            citizenship,
            household,
        )
        self.people.append(person)
        return person

    def _provisional(self) -> str:
        while True:
            code = cf.build_provisional("".join(str(self._rng.randint(0, 9)) for _ in range(10)))
            if code not in self._codes:
                return code

    def shared_candidate(self, partner: str) -> Person | None:
        """Someone recently served elsewhere who may also turn to `partner`."""
        if not self.people:
            return None
        n = len(self.people)
        for _ in range(4):
            p = self.people[self._rng.randrange(max(0, n - 4000), n)]
            if (
                p.partners
                and partner not in p.partners
                and len(p.partners) < MAX_PARTNERS_PER_PERSON
            ):
                return p
        return None

    def summary(self) -> dict[str, int]:
        return {
            "persons": len(self.people),
            "provisional_codes": sum(p.cf_kind == "provisional" for p in self.people),
            "omocodia_codes": sum(p.cf_kind == "omocodia" for p in self.people),
            "persons_multi_partner": sum(len(p.partners) >= 2 for p in self.people),
        }
