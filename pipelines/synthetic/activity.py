"""What a partner does in a month: its caseload, the interventions and the expenses.

Rows are dicts keyed by the canonical column names of `columns.INTERVENTI` / `columns.SPESE`
holding typed values (str, int, Decimal, float, date, None); every row is valid per
partner-report.md. The private key `_person` keeps the fictional person for the columns
some partners add (names, phone numbers), which never reach the truth files.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pipelines import reference
from pipelines.ingestion.columns import AREAS, EXPENSE_ITEMS, NO_FIXED_ABODE, REFERRERS
from pipelines.period import parts
from pipelines.synthetic.habits import Habits
from pipelines.synthetic.people import CREMA, Household, PeoplePool, Person

# service -> (weight within its area, interventions per month, months of an episode)
SERVICE_PROFILE: dict[str, tuple[int, tuple[int, int], tuple[int, int]]] = {
    "POV01": (35, (1, 4), (2, 8)),
    "POV02": (10, (1, 1), (1, 1)),
    "POV03": (15, (1, 1), (1, 3)),
    "POV04": (25, (2, 6), (1, 8)),
    "POV05": (15, (1, 2), (1, 3)),
    "LEG01": (45, (1, 2), (1, 3)),
    "LEG02": (15, (1, 1), (2, 6)),
    "LEG03": (40, (1, 2), (1, 2)),
    "LAV01": (35, (1, 2), (1, 2)),
    "LAV02": (20, (1, 1), (3, 6)),
    "LAV03": (25, (1, 2), (2, 5)),
    "LAV04": (20, (1, 1), (1, 4)),
    "CASA01": (25, (1, 1), (1, 2)),
    "CASA02": (30, (1, 1), (2, 8)),
    "CASA03": (25, (1, 2), (1, 3)),
    "CASA04": (20, (1, 1), (1, 1)),
}
# monetary service -> (min, max, step) of one amount in EUR
AMOUNTS: dict[str, tuple[int, int, str]] = {
    "POV02": (100, 800, "10"),
    "POV03": (50, 400, "0.01"),
    "LAV02": (300, 600, "50"),
    "CASA01": (500, 6000, "0.01"),
    "CASA04": (500, 2000, "50"),
}
# closed outcome -> weight, per service with an outcome list
CLOSED_OUTCOMES: dict[str, dict[str, int]] = {
    "LEG01": {"CONCLUSA": 1},
    "LEG02": {"NOMINA_OTTENUTA": 70, "RESPINTA": 30},
    "LEG03": {"CONCLUSA": 1},
    "LAV02": {"CONCLUSO": 65, "INTERROTTO": 35},
    "LAV03": {"QUALIFICA": 50, "FREQUENZA": 30, "ABBANDONO": 20},
    "LAV04": {"ASSUNTO_TD": 40, "ASSUNTO_TI": 15, "NON_ASSUNTO": 45},
    "CASA01": {"SFRATTO_EVITATO": 45, "SFRATTO_RINVIATO": 25, "NUOVO_ALLOGGIO": 20},
    "CASA03": {"ACCORDO": 60, "NESSUN_ACCORDO": 40},
}
HOURS_SERVICES = {
    "POV05": (0.5, 2),
    "LEG01": (0.5, 3),
    "LEG02": (1, 4),
    "LEG03": (0.5, 2),
    "LAV01": (1, 4),
    "LAV03": (2, 8),
    "CASA03": (0.5, 3),
}
VOLUME = (1.1, 1.1, 1.0, 1.0, 1.0, 0.95, 0.9, 0.5, 1.0, 1.0, 1.05, 1.05)  # by month
WINTER_BOOST = {"POV01": 1.5, "POV03": 2.0, "POV04": 1.3}
WINTER = (11, 12, 1, 2)
_REFERRER_WEIGHTS = (45, 25, 15, 5, 10)
_EXPENSE_NOTES = {
    "PERSONALE": ("Operatori e coordinamento", "Educatore a ore"),
    "BENI": ("Buoni spesa", "Generi alimentari", "Materiale didattico"),
    "CONTRIBUTI": ("Contributi alle famiglie", "Utenze pagate per conto"),
    "SERVIZI": ("Consulenza legale esterna", "Trasporti"),
    "GESTIONE": ("Affitto sede", "Utenze sede"),
}


def ongoing_outcome(service: str) -> str:
    outcomes = reference.services()[service].outcomes
    return "IN_CORSO" if "IN_CORSO" in outcomes else "FREQUENZA"


def amount(rng: random.Random, service: str) -> Decimal:
    lo, hi, step = AMOUNTS[service]
    unit = Decimal(step)
    steps = int((Decimal(hi) - Decimal(lo)) / unit)
    return (Decimal(lo) + unit * rng.randint(0, steps)).quantize(Decimal("0.01"))


@dataclass
class Case:
    person: Person
    household_code: str
    inviante: str | None
    cittadinanza: str | None
    months_left: int
    service: str
    episode_len: int
    episode_month: int = 0
    pause: int = 0  # months without interventions before the case resumes


@dataclass
class AnonContact:
    sex: str
    birth_year: int
    residence: str
    household_code: str
    members: int
    minors: int
    cittadinanza: str | None


class PartnerActivity:
    """One partner's caseload over the months; call `month` for each period in order."""

    def __init__(
        self, habits: Habits, pool: PeoplePool, seed: int, follow_up_paths: float = 0.0
    ) -> None:
        self.habits = habits
        self.pool = pool
        self.rng = random.Random(f"{seed}:activity:{habits.partner}")
        # Paths that continue across areas (POV, then a LAV04 job placement) and households
        # that fall back into arrears a few months after a CASA01 contribution: drawn from a
        # stream of their own, so that with follow_up_paths = 0 nothing else changes.
        self.follow_up_paths = follow_up_paths
        self.paths_rng = random.Random(f"{seed}:paths:{habits.partner}")
        catalogue = reference.services()
        self.services = [s for s in SERVICE_PROFILE if catalogue[s].area in habits.areas]
        self.anon_services = [s for s in self.services if catalogue[s].anonymous_allowed]
        self.side_services = [s for s in self.services if not catalogue[s].outcomes]
        self.cases: list[Case] = []
        self.active: set[int] = set()  # pids of self.cases (membership only, never iterated)
        self.past: list[Person] = []
        self.anon: list[AnonContact] = []
        self.household_codes: dict[int, str] = {}
        self._service_choice: dict[
            tuple[tuple[str, ...], bool], list[tuple[list[str], list[float]]]
        ] = {}
        self.next_household = self.rng.randint(1, 400)
        self.running_id = self.rng.randint(1, 5000)
        partner = reference.partners().get(habits.partner)
        self.budget = partner.budget_eur if partner else 100_000.0

    # -- helpers ----------------------------------------------------------------------
    def _household_code(self, hh: Household) -> str:
        code = self.household_codes.get(hh.hid)
        if code is None:
            code = self._new_household_code()
            self.household_codes[hh.hid] = code
        return code

    def _new_household_code(self) -> str:
        code = f"N{self.next_household:04d}"
        self.next_household += 1
        return code

    def _pick_service(self, month: int, pool: list[str]) -> str:
        """An area of the pool, then a service of it (food and utilities peak in winter)."""
        key = (tuple(pool), month in WINTER)
        choice = self._service_choice.get(key)
        if choice is None:
            catalogue = reference.services()
            areas = sorted({catalogue[s].area for s in pool}, key=AREAS.index)
            choice = []
            for area in areas:
                cands = [s for s in pool if catalogue[s].area == area]
                choice.append(
                    (
                        cands,
                        [
                            SERVICE_PROFILE[s][0] * (WINTER_BOOST.get(s, 1.0) if key[1] else 1.0)
                            for s in cands
                        ],
                    )
                )
            self._service_choice[key] = choice
        cands, weights = self.rng.choice(choice)
        return self.rng.choices(cands, weights=weights)[0]

    def _day(self, y: int, m: int, every_day: bool = False) -> date:
        last = calendar.monthrange(y, m)[1]
        while True:
            d = date(y, m, self.rng.randint(1, last))
            wd = d.weekday()
            if (
                every_day
                or wd < 5
                or (wd == 5 and self.rng.random() < 0.5)
                or (self.rng.random() < 0.1)
            ):
                return d

    def _open_case(self, y: int, m: int) -> Case:
        rng = self.rng
        r = rng.random()
        person: Person | None = None
        if r < 0.10 and self.past:
            cand = rng.choice(self.past)
            if cand.pid not in self.active:
                person = cand
        elif r < 0.24:
            shared = self.pool.shared_candidate(self.habits.partner)
            if shared is not None and shared.pid not in self.active:
                person = shared
        if person is None:
            person = self.pool.new_person(y)
        if self.habits.partner not in person.partners:
            person.partners.append(self.habits.partner)
            self.past.append(person)
        service = self._pick_service(m, self.services)
        lo, hi = SERVICE_PROFILE[service][2]
        episode = rng.randint(lo, hi)
        inviante = (
            rng.choices(REFERRERS, weights=_REFERRER_WEIGHTS)[0]
            if rng.random() < self.habits.inviante_fill
            else None
        )
        citizenship = person.citizenship if rng.random() < self.habits.citizenship_fill else None
        case = Case(
            person,
            self._household_code(person.household),
            inviante,
            citizenship,
            episode + rng.choice((0, 0, 1, 2, 3, 5)),
            service,
            episode,
        )
        self.cases.append(case)
        self.active.add(person.pid)
        # Sometimes a second member of the household is taken in care too.
        if rng.random() < 0.06:
            mate = self.pool.new_person(y, household=person.household, minor=rng.random() < 0.3)
            mate.partners.append(self.habits.partner)
            self.past.append(mate)
            mate_service = self._pick_service(m, self.services)
            lo, hi = SERVICE_PROFILE[mate_service][2]
            episode = rng.randint(lo, hi)
            self.cases.append(
                Case(
                    mate,
                    case.household_code,
                    inviante,
                    mate.citizenship if citizenship else None,
                    episode + rng.choice((0, 1, 2)),
                    mate_service,
                    episode,
                )
            )
            self.active.add(mate.pid)
        return case

    def _person_row(
        self, case: Case, service: str, day: date, esito: str | None, money: Decimal | None
    ) -> dict[str, object]:
        p, hh, rng = case.person, case.person.household, self.rng
        catalogue = reference.services()
        ore: float | None = None
        if self.habits.fills_ore and service in HOURS_SERVICES:
            lo, hi = HOURS_SERVICES[service]
            ore = rng.randint(int(lo * 2), int(hi * 2)) / 2
        if money is None and self.habits.zero_amounts:
            money = Decimal("0.00")
        return {
            "id_intervento": None,
            "codice_fiscale": p.codice_fiscale,
            "anonimo": "NO",
            "anno_nascita": p.birth.year,
            "sesso": p.sex,
            "comune_residenza": hh.residence,
            "cittadinanza": case.cittadinanza,
            "codice_nucleo": case.household_code,
            "componenti_nucleo": hh.members,
            "minori_nucleo": hh.minors,
            "area": catalogue[service].area,
            "tipo_intervento": service,
            "data_intervento": day,
            "importo_euro": money,
            "ore": ore,
            "esito": esito,
            "inviante": case.inviante,
            "_person": p,
        }

    def _case_rows(self, case: Case, y: int, m: int) -> list[dict[str, object]]:
        rng, service = self.rng, case.service
        catalogue = reference.services()
        lo, hi = SERVICE_PROFILE[service][1]
        days = sorted(self._day(y, m, service == "POV04") for _ in range(rng.randint(lo, hi)))
        info = catalogue[service]
        with_esito = bool(info.outcomes) and (
            info.outcome_required or self.habits.fills_optional_esito
        )
        final = case.episode_month >= case.episode_len - 1 and rng.random() < 0.9
        rows = []
        for i, day in enumerate(days):
            esito = None
            if with_esito:
                esito = ongoing_outcome(service)
                if final and i == len(days) - 1:
                    weights = CLOSED_OUTCOMES[service]
                    esito = rng.choices(list(weights), weights=list(weights.values()))[0]
            money = amount(rng, service) if info.monetary else None
            rows.append(self._person_row(case, service, day, esito, money))
        if self.side_services and rng.random() < 0.12:
            side = self._pick_service(m, self.side_services)
            money = amount(rng, side) if catalogue[side].monetary else None
            rows.append(self._person_row(case, side, self._day(y, m), None, money))
        return rows

    def _anon_row(self, y: int, m: int) -> dict[str, object]:
        rng = self.rng
        if self.anon and rng.random() < 0.7:
            c = rng.choice(self.anon)
        else:
            r = rng.random()
            residence = NO_FIXED_ABODE if r < 0.35 else CREMA if r < 0.75 else self.pool.residence()
            members = 1 if rng.random() < 0.7 else rng.randint(2, 4)
            minors = 1 if members >= 2 and rng.random() < 0.3 else 0
            cit = rng.choice((None, None, "ITA", "EXTRA_UE", "EXTRA_UE", "UE"))
            c = AnonContact(
                rng.choice("MF"),
                y - int(rng.triangular(20, 80, 45)),
                residence,
                self._new_household_code(),
                members,
                minors,
                cit,
            )
            self.anon.append(c)
        service = self._pick_service(m, self.anon_services)
        return {
            "id_intervento": None,
            "codice_fiscale": None,
            "anonimo": "SI",
            "anno_nascita": c.birth_year,
            "sesso": c.sex,
            "comune_residenza": c.residence,
            "cittadinanza": c.cittadinanza,
            "codice_nucleo": c.household_code,
            "componenti_nucleo": c.members,
            "minori_nucleo": c.minors,
            "area": "POV",
            "tipo_intervento": service,
            "data_intervento": self._day(y, m, service == "POV04"),
            "importo_euro": Decimal("0.00") if self.habits.zero_amounts else None,
            "ore": None,
            "esito": None,
            "inviante": rng.choice((None, None, "AUTONOMO", "AUTONOMO", "ALTRO_ENTE")),
            "_person": None,
        }

    # -- the month --------------------------------------------------------------------
    def month(self, period: str, mean_rows: float) -> list[dict[str, object]]:
        """The month's interventions, in the partner's row order, with ids."""
        rng = self.rng
        y, m = parts(period)
        target = max(
            3, round(mean_rows * self.habits.size_factor * VOLUME[m - 1] * rng.gauss(1.0, 0.08))
        )
        rows: list[dict[str, object]] = []
        if self.anon_services:
            n_anon = round(target * self.habits.anonymous_share * rng.uniform(0.7, 1.3))
            rows += [self._anon_row(y, m) for _ in range(min(n_anon, target - 1))]
        order = list(range(len(self.cases)))
        rng.shuffle(order)
        served = [False] * len(self.cases)
        for idx in order:
            if len(rows) >= target:
                break
            if self.cases[idx].pause > 0:
                continue
            rows += self._case_rows(self.cases[idx], y, m)
            served[idx] = True
        while len(rows) < target:
            before = len(self.cases)
            self._open_case(y, m)
            for idx in range(before, len(self.cases)):
                rows += self._case_rows(self.cases[idx], y, m)
            served += [True] * (len(self.cases) - before)
        self._advance(served, m)
        if self.habits.sort_by_date:
            rows.sort(key=lambda r: str(r["data_intervento"]))  # ISO dates sort as text
        self.assign_ids(rows, period, 1)
        return rows

    def _advance(self, served: list[bool], m: int) -> None:
        keep = []
        for case, was_served in zip(self.cases, served, strict=True):
            if case.pause > 0:
                case.pause -= 1
                keep.append(case)
                continue
            case.months_left -= 1
            if was_served:
                case.episode_month += 1
            ends = case.episode_month >= case.episode_len
            onward = ends and self._continues(case)
            if case.months_left <= 0 and not onward:
                continue
            if onward:
                self._next_path(case)
            elif ends:
                case.service = self._pick_service(m, self.services)
                lo, hi = SERVICE_PROFILE[case.service][2]
                case.episode_len = min(self.rng.randint(lo, hi), case.months_left)
                case.episode_month = 0
            keep.append(case)
        self.cases = keep
        self.active = {c.person.pid for c in keep}

    def _continues(self, case: Case) -> bool:
        """Whether a case that ends its episode now goes on along a follow-up path: a POV
        case into a LAV04 job placement (where the partner works in LAV), a CASA01 case
        back to CASA01 after a pause. Decided once per episode end, from its own stream."""
        if not self.follow_up_paths:
            return False
        area = reference.services()[case.service].area
        if area == "POV" and "LAV" in self.habits.areas and "LAV04" in self.services:
            return self.paths_rng.random() < self.follow_up_paths
        if case.service == "CASA01":
            return self.paths_rng.random() < self.follow_up_paths
        return False

    def _next_path(self, case: Case) -> None:
        if case.service == "CASA01":
            case.pause = self.paths_rng.randint(2, 5)
            case.episode_len = 1
        else:
            case.service = "LAV04"
            case.episode_len = self.paths_rng.randint(1, 4)
        case.episode_month = 0
        case.months_left = max(case.months_left, case.pause + case.episode_len)

    def assign_ids(self, rows: list[dict[str, object]], period: str, start: int) -> None:
        style = self.habits.id_style
        for i, row in enumerate(rows, start):
            if style == "numeric":
                row["id_intervento"] = i
            elif style == "running":
                row["id_intervento"] = f"INT{self.running_id:06d}"
                self.running_id += 1
            else:
                row["id_intervento"] = f"{self.habits.partner}-{period}-{i:04d}"

    def extra_rows(
        self, rows: list[dict[str, object]], period: str, k: int
    ) -> list[dict[str, object]]:
        """k more interventions of the month, as a correction adds them (ids continue)."""
        y, m = parts(period)
        catalogue = reference.services()
        named = [r for r in rows if r["_person"] is not None]
        out: list[dict[str, object]] = []
        for _ in range(k):
            if named:
                new = dict(self.rng.choice(named))
                service = str(new["tipo_intervento"])
                new["data_intervento"] = self._day(y, m)
                if catalogue[service].monetary:
                    new["importo_euro"] = amount(self.rng, service)
            else:
                new = self._anon_row(y, m)
            out.append(new)
        self.assign_ids(out, period, len(rows) + 1)
        return out

    def expenses(self, period: str) -> list[dict[str, object]]:
        rng = self.rng
        _, m = parts(period)
        pairs = [(v, a) for a in self.habits.areas for v in EXPENSE_ITEMS]
        n = min(rng.randint(3, 6), len(pairs))
        chosen = rng.sample(pairs, n)
        total = self.budget / 60 * rng.uniform(0.6, 1.4) * VOLUME[m - 1]
        weights = [rng.uniform(0.5, 2.0) for _ in chosen]
        out = []
        for (voce, area), w in zip(chosen, weights, strict=True):
            line = Decimal(total * w / sum(weights)).quantize(Decimal("0.01"))
            cofin = (line * Decimal(str(round(rng.uniform(0.15, 0.25), 3)))).quantize(
                Decimal("0.01")
            )
            note = rng.choice(_EXPENSE_NOTES[voce]) if rng.random() < 0.35 else None
            out.append(
                {
                    "voce": voce,
                    "area": area,
                    "importo_totale": line,
                    "quota_cofinanziamento": cofin,
                    "note": note,
                }
            )
        return out
