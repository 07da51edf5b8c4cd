"""The evaluation marts end to end on a multi-year scenario whose people continue their paths
(the generator's follow_up_paths: POV then a job placement, arrears again months later):
the `year` window of the indicators (January again in 2027), marts.indicator_targets,
marts.cohort_outcomes and marts.reach_by_municipality equal the generator's ground truth
recomputed here in plain pandas, independently of the SQL."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.ingest import ingest
from pipelines.period import shift
from pipelines.synthetic.generator import GeneratorConfig, generate
from pipelines.warehouse.build import build_warehouse
from tests import truth as ground

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Three partners covering POV, LAV and CASA, fifteen months: 2026-01 to 2027-03, due through
# 2027-04, so that cohorts of every horizon have ended.
CONFIG = GeneratorConfig(
    seed=17,
    partners=3,
    start_period="2026-01",
    months=15,
    rows_per_file=20,
    error_rate=0.04,
    missing_rate=0.02,
    follow_up_paths=0.6,
)
AS_OF = dt.date(2027, 5, 20)
HIRED = {"ASSUNTO_TD", "ASSUNTO_TI"}
HOUSED = {"SFRATTO_EVITATO", "NUOVO_ALLOGGIO"}


@pytest.fixture(scope="module")
def built(module_home: Path, module_settings) -> Path:
    generate(
        module_home / "inbox",
        CONFIG,
        manifest_path=module_home / "truth" / "synthetic_manifest.json",
    )
    ingest(module_settings)
    build_warehouse(module_settings, as_of=AS_OF)
    return module_home


def q(home: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def truth(home: Path) -> pd.DataFrame:
    """The generator's interventions (tests/truth.py), with their dates and rows."""
    iv, _, _ = ground.load(home / "truth")
    iv["day"] = pd.to_datetime(iv.data_intervento).dt.date
    iv["row"] = pd.to_numeric(iv.row_number)
    return iv


def scopes(iv: pd.DataFrame) -> list[tuple[str, str | None, pd.DataFrame]]:
    return (
        [("partnership", None, iv)]
        + [("consortium", c, iv[iv.consortium == c]) for c in sorted(iv.consortium.unique())]
        + [("partner", p, iv[iv.partner_code == p]) for p in sorted(iv.partner_code.unique())]
    )


def within(day: dt.date, months: int) -> dt.date:
    """On or before: the same day `months` later (clamped to a shorter month) minus a day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1])) - dt.timedelta(1)


def lav_employed(rows: pd.DataFrame) -> list[tuple[dt.date, bool]]:
    lav = rows[(rows.person != "") & (rows.area == "LAV")]
    out = []
    for _, mine in lav.groupby("person"):
        entry = mine.day.min()
        hires = mine[(mine.tipo_intervento == "LAV04") & mine.esito.isin(HIRED)]
        out.append((entry, bool((hires.day <= within(entry, 6)).any())))
    return out


def pov_to_lav(rows: pd.DataFrame) -> list[tuple[dt.date, bool]]:
    persons = rows[rows.person != ""]
    out = []
    for _, mine in persons.groupby("person"):
        pov, lav = mine[mine.area == "POV"].day, mine[mine.area == "LAV"].day
        if pov.empty:
            continue
        entry = pov.min()
        if (lav <= entry).any():
            continue
        out.append((entry, bool(((lav > entry) & (lav <= within(entry, 12))).any())))
    return out


def casa_relapse(rows: pd.DataFrame) -> list[tuple[dt.date, bool]]:
    arrears = rows[rows.tipo_intervento == "CASA01"]
    out = []
    for _, mine in arrears.groupby("household"):
        housed = mine[mine.esito.isin(HOUSED)].day
        if housed.empty:
            continue
        entry = housed.min()
        later = mine.day[
            (mine.day > entry + dt.timedelta(days=60)) & (mine.day <= within(entry, 12))
        ]
        out.append((entry, not later.empty))
    return out


FOLLOW_UP = {
    "LAV_EMPLOYED_6M": (lav_employed, 6),
    "POV_TO_LAV_12M": (pov_to_lav, 12),
    "CASA_RELAPSE_12M": (casa_relapse, 12),
}


def test_cohort_outcomes_equal_the_ground_truth(built: Path) -> None:
    iv = truth(built)
    last_due = q(built, "select max(period) as p from marts.dim_period where is_due").p[0]
    want: dict[tuple, tuple[int, int]] = {}
    for code, (members, horizon) in FOLLOW_UP.items():
        for scope, scope_code, rows in scopes(iv):
            cohorts: dict[str, list[bool]] = {}
            for entry, achieved in members(rows):
                cohorts.setdefault(f"{entry:%Y-%m}", []).append(achieved)
            for cohort, flags in cohorts.items():
                if shift(cohort, horizon) <= last_due:
                    want[(code, cohort, scope, scope_code)] = (len(flags), sum(flags))
    got = q(built, "select * from marts.cohort_outcomes")
    have = {
        (r.indicator_code, r.cohort, r.scope, None if pd.isna(r.scope_code) else r.scope_code): (
            int(r.cohort_size),
            int(r.achieved),
        )
        for r in got.itertuples()
    }
    assert have == want
    # The scenario makes every indicator meaningful: cohorts with outcomes at each scope.
    for code in FOLLOW_UP:
        mine = got[(got.indicator_code == code) & (got.scope == "partnership")]
        assert len(mine) >= 1 and mine.achieved.sum() > 0, code
    small = got[(got.cohort_size.between(1, 4)) | (got.achieved.between(1, 4))]
    assert (small.display_value == "<5").all() and small.is_suppressed.all()
    shown = got[~got.is_suppressed]
    assert (shown.display_value == (100 * shown.rate).map(lambda r: f"{r:.1f}")).all()


def test_reach_by_municipality_equals_the_ground_truth(built: Path) -> None:
    iv = truth(built).sort_values(["day", "row", "partner_code"], kind="stable")
    towns = pd.read_csv(SEEDS / "municipalities.csv", dtype=str)
    ambito = set(towns[towns.is_ambito_cremasco == "true"].istat_code)
    got = q(
        built, 'select * from marts.reach_by_municipality order by period, "window", istat_code'
    )
    assert set(got.istat_code) == ambito and len(ambito) == 48
    periods = sorted(got.period.unique())
    want = []
    for p in periods:
        for window, first in (
            ("year", max(f"{p[:4]}-01", CONFIG.start_period)),
            ("cumulative", ""),
        ):
            rows = iv[(iv.period >= first) & (iv.period <= p)]
            persons = rows[rows.person != ""]
            counts = {
                "persons": persons.groupby("person").tail(1).comune_residenza.value_counts(),
                "minors": persons[persons.age <= 17]
                .groupby("person")
                .tail(1)
                .comune_residenza.value_counts(),
                "households": rows.groupby("household").tail(1).comune_residenza.value_counts(),
            }
            for code in sorted(ambito):
                want.append((p, window, code, *(int(c.get(code, 0)) for c in counts.values())))
    have = list(
        got[["period", "window", "istat_code", "persons", "minors", "households"]]
        .astype({"persons": int, "minors": int, "households": int})
        .itertuples(index=False, name=None)
    )
    assert sorted(have) == sorted(want)
    assert got.persons.sum() > 0
    population = pd.read_csv(SEEDS / "population.csv", dtype={"istat_code": str})
    crema = got[got.istat_code == "019035"].iloc[0]
    assert crema.population == population[population.istat_code == "019035"].residents.sum()
    assert crema.population_year == 2023
    small = got[got.persons.between(1, 4)]
    assert (small.persons_display == "<5").all() and (small.persons_per_1000_display == "<5").all()
    shown = got[got.persons_suppression.isna()]
    assert (shown.persons_display == shown.persons.astype(str)).all()


def _code(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def test_the_year_window_equals_the_ground_truth(built) -> None:
    home = built
    iv, ex, consortium = ground.load(home / "truth")
    got = q(
        home,
        "select indicator_code, period, scope, scope_code, value from marts.indicator_values "
        "where \"window\" = 'year'",
    )
    table = {
        (r.indicator_code, r.period, r.scope, _code(r.scope_code)): r.value
        for r in got.itertuples()
    }
    periods = sorted({p for (_, p, _, _) in table})
    assert periods[0] == CONFIG.start_period and periods[-1] == "2027-04"
    assert {p[:4] for p in periods} == {"2026", "2027"}
    compared = across_january = 0
    for code in ground.CHECKED:
        for scope, scode in ground.scopes(consortium):
            if code == "PERSONS_MULTI_PARTNER" and scope == "partner":
                continue
            s_iv, s_ex = ground.in_scope(iv, scope, scode), ground.in_scope(ex, scope, scode)
            for p in periods:
                sel = ground.WINDOWS["year"]
                want = ground.expected(sel(s_iv, p), sel(s_ex, p), code)
                have = table[(code, p, scope, scode)]
                if want is None:
                    assert pd.isna(have), (code, p, scope, scode)
                else:
                    assert have == pytest.approx(want, abs=0.006), (code, p, scope, scode)
                    cumulative = ground.expected(
                        ground.WINDOWS["cumulative"](s_iv, p),
                        ground.WINDOWS["cumulative"](s_ex, p),
                        code,
                    )
                    across_january += p >= "2027-01" and cumulative != want
                compared += 1
    assert compared > 1000
    assert across_january > 100, "the scenario must tell the year window from the cumulative one"


def test_target_progress_equals_the_ground_truth(built) -> None:
    home = built
    iv, ex, _ = ground.load(home / "truth")
    targets = pd.read_csv(
        ground.SEEDS / "targets.csv", dtype={"scope_code": str}, keep_default_na=False
    )
    got = q(
        home,
        "select indicator_code, scope, scope_code, year, period, target, actual, progress, "
        "expected, status from marts.indicator_targets",
    )
    rows = {
        (r.indicator_code, r.scope, _code(r.scope_code) or "", r.period): r
        for r in got.itertuples()
    }
    due = {
        2026: [f"2026-{m:02d}" for m in range(1, 13)],
        2027: [f"2027-{m:02d}" for m in range(1, 5)],
    }
    # every target of a year at every due month of that year, none of a year not yet begun
    mine = targets[targets.year.isin(list(due))]
    assert len(rows) == sum(len(mine[mine.year == y]) * len(ps) for y, ps in due.items())
    statuses = set()
    for t in mine.itertuples():
        s_iv = ground.in_scope(iv, t.scope, t.scope_code or None)
        s_ex = ground.in_scope(ex, t.scope, t.scope_code or None)
        for month, p in enumerate(due[t.year], start=1):
            actual = ground.expected(
                ground.WINDOWS["year"](s_iv, p), ground.WINDOWS["year"](s_ex, p), t.indicator_code
            )
            r = rows[(t.indicator_code, t.scope, t.scope_code, p)]
            assert r.actual == pytest.approx(actual, abs=0.006), (t, p)
            assert r.progress == pytest.approx(actual / t.target, abs=1e-6), (t, p)
            expected = month / 12
            assert r.expected == pytest.approx(expected), (t, p)
            progress = actual / t.target
            status = (
                "achieved"
                if progress >= 1
                else "on_track"
                if progress >= 0.9 * expected
                else "behind"
            )
            assert r.status == status, (t, p, progress, expected)
            statuses.add(status)
    assert {"on_track", "behind"} <= statuses


def test_published_target_columns_hide_what_is_suppressed(built) -> None:
    home = built
    got = q(
        home,
        "select t.is_suppressed, t.actual_display, t.progress_display, t.status_display, "
        "v.display_value, v.is_suppressed as value_suppressed "
        "from marts.indicator_targets t join marts.indicator_values v "
        "on v.indicator_code = t.indicator_code and v.period = t.period and v.\"window\" = 'year' "
        "and v.scope = t.scope and v.scope_code is not distinct from t.scope_code",
    )
    assert (got.is_suppressed == got.value_suppressed).all()
    assert (got.actual_display == got.display_value).all()
    hidden = got[got.is_suppressed]
    assert len(hidden) > 0, "the scenario must suppress some partner's yearly figure"
    assert (hidden.progress_display == "<5").all() and hidden.status_display.isna().all()
