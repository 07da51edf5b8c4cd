"""The disclosure audit on small published tables with a planted leak of each kind: each must
be caught, and the secondary suppression must then close it. Real DuckDB tables shaped as
the marts, the real indicator catalogue (seeds/indicators.csv)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from pipelines.disclosure import audit, cells, secondary

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Two partners in one consortium, one in the other.
PARTNERS = [("P01", "SUL_SERIO"), ("P02", "SUL_SERIO"), ("P03", "CARITAS")]


def _display(value: float | None, unit: str, suppressed: bool) -> str | None:
    if suppressed:
        return "<5"
    if value is None:
        return None
    if unit == "rate":
        return f"{value:.4f}"
    if unit == "EUR":
        return f"{value:.2f}"
    return str(round(value))


def warehouse(rows: list[tuple], breakdowns: list[tuple] = ()) -> duckdb.DuckDBPyConnection:
    """rows: (indicator, period, window, scope, scope_code, value, suppression);
    breakdowns: the same with dimension and dimension_value after scope_code."""
    con = duckdb.connect(":memory:")
    con.execute("create schema reference; create schema marts")
    con.execute(
        f"create table reference.indicators as select * from read_csv('{SEEDS / 'indicators.csv'}', "
        "all_varchar = true)"
    )
    con.execute("create table reference.partners (partner_code varchar, consortium_code varchar)")
    con.executemany("insert into reference.partners values (?, ?)", PARTNERS)
    units = dict(con.execute("select indicator_code, unit from reference.indicators").fetchall())
    columns = (
        'indicator_code varchar, period varchar, "window" varchar, scope varchar, '
        "scope_code varchar, {dims} value double, is_suppressed boolean, "
        "display_value varchar, suppression varchar"
    )
    con.execute(f"create table marts.indicator_values ({columns.format(dims='')})")
    con.execute(
        f"create table marts.indicator_breakdowns ("
        f"{columns.format(dims='dimension varchar, dimension_value varchar,')})"
    )
    for r in rows:
        code, period, window, scope, scope_code, value, why = r
        con.execute(
            "insert into marts.indicator_values values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                code,
                period,
                window,
                scope,
                scope_code,
                value,
                why is not None,
                _display(value, units[code], why is not None),
                why,
            ],
        )
    for r in breakdowns:
        code, period, window, scope, scope_code, dim, cat, value, why = r
        con.execute(
            "insert into marts.indicator_breakdowns values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                code,
                period,
                window,
                scope,
                scope_code,
                dim,
                cat,
                value,
                why is not None,
                _display(value, units[code], why is not None),
                why,
            ],
        )
    return con


def both_windows(
    code: str, period: str, scope: str, scope_code: str | None, value: float, why: str | None = None
) -> list[tuple]:
    """A first month: its cumulative value is the month's."""
    return [(code, period, w, scope, scope_code, value, why) for w in ("month", "cumulative")]


def recoverable(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    found = audit.audit(con).recoverable
    return {
        (r.indicator_code, r.period, r.window, r.scope, r.scope_code, r.dimension_value)
        for r in found.itertuples()
    }


def protected(con: duckdb.DuckDBPyConnection) -> audit.AuditResult:
    """The secondary suppression applied to the planted tables, then the audit of the result."""
    frame = cells.load(con)
    chosen, result = secondary.choose(frame)
    assert chosen.sum() > frame["suppressed"].sum(), "no secondary suppression was chosen"
    return result


# --- the five kinds of leak ----------------------------------------------------------------


def window_leak() -> duckdb.DuckDBPyConnection:
    """Anonymous contacts (interventions add up over months): February's 3 is the difference
    of the two published cumulative values."""
    return warehouse(
        [
            *both_windows("REACH_CONTACTS_ANON", "2026-01", "partner", "P01", 10),
            ("REACH_CONTACTS_ANON", "2026-02", "month", "partner", "P01", 3, "primary"),
            ("REACH_CONTACTS_ANON", "2026-02", "cumulative", "partner", "P01", 13, None),
        ]
    )


def scope_leak() -> duckdb.DuckDBPyConnection:
    """Households add up over the partners of a consortium: P01's 3 is the consortium's 12
    minus P02's 9."""
    return warehouse(
        [
            *both_windows("REACH_HOUSEHOLDS", "2026-01", "consortium", "SUL_SERIO", 12),
            *both_windows("REACH_HOUSEHOLDS", "2026-01", "partner", "P01", 3, "primary"),
            *both_windows("REACH_HOUSEHOLDS", "2026-01", "partner", "P02", 9),
        ]
    )


def category_leak() -> duckdb.DuckDBPyConnection:
    """A breakdown adds up to its total: 3 women are 10 persons minus 7 men."""
    return warehouse(
        both_windows("REACH_PERSONS", "2026-01", "partnership", None, 10),
        [
            ("REACH_PERSONS", "2026-01", w, "partnership", None, "sex", cat, v, why)
            for w in ("month", "cumulative")
            for cat, v, why in (("M", 7, None), ("F", 3, "primary"))
        ],
    )


def rate_leak() -> duckdb.DuckDBPyConnection:
    """A published share times its published denominator: 0.15 x 20 households = 3."""
    return warehouse(
        [
            *both_windows("REACH_HOUSEHOLDS", "2026-01", "partnership", None, 20),
            *both_windows("REACH_HOUSEHOLDS_MINORS", "2026-01", "partnership", None, 3, "primary"),
            *both_windows("SHARE_HOUSEHOLDS_MINORS", "2026-01", "partnership", None, 0.15),
        ]
    )


def bound_leak() -> duckdb.DuckDBPyConnection:
    """A distinct count never falls from one cumulative month to the next: February's hidden
    cumulative count sits between two published 7s. (February's month count, 3, is hidden
    too: the cumulative value, at most January's plus February's, does not pin it.)"""
    return warehouse(
        [
            *both_windows("REACH_PERSONS", "2026-01", "partner", "P01", 7),
            ("REACH_PERSONS", "2026-02", "month", "partner", "P01", 3, "primary"),
            ("REACH_PERSONS", "2026-02", "cumulative", "partner", "P01", 7, "secondary"),
            ("REACH_PERSONS", "2026-03", "month", "partner", "P01", 0, None),
            ("REACH_PERSONS", "2026-03", "cumulative", "partner", "P01", 7, None),
        ]
    )


def year_leak() -> duckdb.DuckDBPyConnection:
    """The year window sums its months from January: January's hidden year value (3) is
    February's published 8 minus February's published 5 (the month and cumulative values of
    January are hidden too, as a difference of cumulative values would give them away)."""
    rows = [
        ("REACH_CONTACTS_ANON", "2025-12", w, "partner", "P01", 10, None)
        for w in ("month", "year", "cumulative")
    ]
    return warehouse(
        [
            *rows,
            ("REACH_CONTACTS_ANON", "2026-01", "month", "partner", "P01", 3, "primary"),
            ("REACH_CONTACTS_ANON", "2026-01", "year", "partner", "P01", 3, "primary"),
            ("REACH_CONTACTS_ANON", "2026-01", "cumulative", "partner", "P01", 13, "secondary"),
            ("REACH_CONTACTS_ANON", "2026-02", "month", "partner", "P01", 5, None),
            ("REACH_CONTACTS_ANON", "2026-02", "year", "partner", "P01", 8, None),
        ]
    )


def first_year_leak() -> duckdb.DuckDBPyConnection:
    """In the partnership's first year the year window is the cumulative one: February's
    hidden year count is its published cumulative count (8)."""
    return warehouse(
        [
            *[
                ("REACH_PERSONS", "2026-01", w, "partner", "P01", 7, None)
                for w in ("month", "year", "cumulative")
            ],
            ("REACH_PERSONS", "2026-02", "month", "partner", "P01", 3, "primary"),
            ("REACH_PERSONS", "2026-02", "year", "partner", "P01", 8, "secondary"),
            ("REACH_PERSONS", "2026-02", "cumulative", "partner", "P01", 8, None),
        ]
    )


def municipality_leak() -> duckdb.DuckDBPyConnection:
    """The municipalities of the Ambito other than Crema add up to the AMBITO category of the
    residence breakdown: Agnadello's 3 persons are AMBITO's 10 minus Bagnolo's 7."""
    con = warehouse(
        [("REACH_PERSONS", "2026-01", "cumulative", "partnership", None, 30, None)],
        [
            ("REACH_PERSONS", "2026-01", "cumulative", "partnership", None, "residence", c, v, None)
            for c, v in (("CREMA", 12), ("AMBITO", 10), ("OUTSIDE", 8))
        ],
    )
    con.execute(
        'create table marts.reach_by_municipality (period varchar, "window" varchar, '
        "istat_code varchar, persons double, persons_display varchar, "
        "persons_suppression varchar, minors double, minors_display varchar, "
        "minors_suppression varchar, households double, households_display varchar, "
        "households_suppression varchar)"
    )
    for code, persons in (("019035", 12), ("019002", 3), ("019004", 7)):
        small = persons < 5
        con.execute(
            "insert into marts.reach_by_municipality values "
            "('2026-01', 'cumulative', ?, ?, ?, ?, 0, '0', null, 0, '0', null)",
            [code, persons, "<5" if small else str(persons), "primary" if small else None],
        )
    return con


def breakdown_run_leak() -> duckdb.DuckDBPyConnection:
    """A category's cumulative count in months that add nothing to it: February's hidden 6
    women are at most January's 6 plus February's 0, and March's published 6 are at most
    February's plus March's 0 (a category is not known never to fall, but here it cannot
    rise). The men make up the totals."""

    def sex(period: str, window: str, category: str, value: float, why: str | None = None):
        return ("REACH_PERSONS", period, window, "partnership", None, "sex", category, value, why)

    rows, breakdowns, cumulative = [], [], 0
    for period, women, persons in (("2026-01", 6, 10), ("2026-02", 0, 2), ("2026-03", 0, 3)):
        cumulative += persons
        rows += [
            ("REACH_PERSONS", period, "month", "partnership", None, persons, None),
            ("REACH_PERSONS", period, "cumulative", "partnership", None, cumulative, None),
        ]
        hidden = "secondary" if period == "2026-02" else None
        breakdowns += [
            sex(period, "month", "F", women),
            sex(period, "month", "M", persons - women),
            sex(period, "cumulative", "F", 6, hidden),
            sex(period, "cumulative", "M", cumulative - 6),
        ]
    return warehouse(rows, breakdowns)


LEAKS = {
    "year window difference": (
        year_leak,
        ("REACH_CONTACTS_ANON", "2026-01", "year", "partner", "P01", ""),
    ),
    "the first year is the cumulative window": (
        first_year_leak,
        ("REACH_PERSONS", "2026-02", "year", "partner", "P01", ""),
    ),
    "municipality difference": (
        municipality_leak,
        ("REACH_PERSONS", "2026-01", "cumulative", "partnership", "", "019002"),
    ),
    "window difference": (
        window_leak,
        ("REACH_CONTACTS_ANON", "2026-02", "month", "partner", "P01", ""),
    ),
    "scope difference": (
        scope_leak,
        ("REACH_HOUSEHOLDS", "2026-01", "month", "partner", "P01", ""),
    ),
    "category difference": (
        category_leak,
        ("REACH_PERSONS", "2026-01", "month", "partnership", "", "F"),
    ),
    "rate times denominator": (
        rate_leak,
        ("REACH_HOUSEHOLDS_MINORS", "2026-01", "month", "partnership", "", ""),
    ),
    "bound": (bound_leak, ("REACH_PERSONS", "2026-02", "cumulative", "partner", "P01", "")),
    "a category's run where its months add nothing": (
        breakdown_run_leak,
        ("REACH_PERSONS", "2026-02", "cumulative", "partnership", "", "F"),
    ),
}


@pytest.mark.parametrize("kind", list(LEAKS))
def test_the_audit_catches_a_planted_leak(kind: str) -> None:
    make, cell = LEAKS[kind]
    con = make()
    result = audit.audit(con)
    assert not result.passed
    assert cell in recoverable(con), f"{kind}: {cell} not found in {recoverable(con)}"
    assert not result.broken_links  # the planted tables are consistent


@pytest.mark.parametrize("kind", list(LEAKS))
def test_secondary_suppression_closes_the_leak(kind: str) -> None:
    result = protected(LEAKS[kind][0]())
    assert result.passed, result.recoverable


def test_two_suppressed_categories_are_not_recoverable() -> None:
    """3 women and 7 men both hidden under a total of 10: each could be 1 to 9."""
    con = warehouse(
        both_windows("REACH_PERSONS", "2026-01", "partnership", None, 10),
        [
            ("REACH_PERSONS", "2026-01", w, "partnership", None, "sex", cat, v, why)
            for w in ("month", "cumulative")
            for cat, v, why in (("M", 7, "secondary"), ("F", 3, "primary"))
        ],
    )
    assert audit.audit(con).passed


def test_a_rate_is_hidden_with_its_numerator() -> None:
    """The share of households with minors goes with its numerator: the secondary
    suppression hides the share, and the audit then passes."""
    frame = cells.load(rate_leak())
    chosen, result = secondary.choose(frame)
    share = frame.index[
        (frame["indicator_code"] == "SHARE_HOUSEHOLDS_MINORS") & (frame["window"] == "month")
    ][0]
    assert chosen[share] and result.passed


def test_figures_about_organisations_are_never_suppressed() -> None:
    """Spending is never hidden, even to protect a cost per person: the cost is hidden
    instead (the persons, 3, are spend / cost)."""
    con = warehouse(
        [
            *both_windows("REACH_PERSONS", "2026-01", "partnership", None, 3, "primary"),
            *both_windows("FIN_SPEND_EUR", "2026-01", "partnership", None, 900.0),
            *both_windows("FIN_COST_PER_PERSON", "2026-01", "partnership", None, 300.0),
        ]
    )
    assert ("REACH_PERSONS", "2026-01", "month", "partnership", "", "") in recoverable(con)
    frame = cells.load(con)
    chosen, result = secondary.choose(frame)
    spend = (frame["indicator_code"] == "FIN_SPEND_EUR").to_numpy()
    cost = (frame["indicator_code"] == "FIN_COST_PER_PERSON").to_numpy()
    assert not chosen[spend].any() and chosen[cost].all() and result.passed


def test_the_same_data_gives_the_same_cells() -> None:
    first, _ = secondary.choose(cells.load(scope_leak()))
    second, _ = secondary.choose(cells.load(scope_leak()))
    assert (first == second).all()


def test_an_audit_that_knows_the_protected_cells_finds_what_a_fresh_one_finds() -> None:
    """The secondary suppression audits again after each round, passing the cells found
    protected so far: suppressing more cells only relaxes the system, so they stay protected.
    After one more suppression the audit with that knowledge and a fresh audit agree, and a
    cell found recoverable is never taken for protected."""
    frame = cells.load(bound_leak())
    known = np.zeros(len(frame), dtype=bool)
    first = audit.audit_cells(frame, protected=known)
    february = (frame["period"] == "2026-02") & (frame["window"] == "cumulative")
    assert not first.passed and not known[february.to_numpy()].any()
    assert known[frame["suppressed"].to_numpy() & ~february.to_numpy()].all()
    march = ((frame["period"] == "2026-03") & (frame["window"] == "cumulative")).to_numpy()
    more = frame.copy()
    more.loc[march, ["suppressed", "suppression", "display_value"]] = [True, "secondary", "<5"]
    again, fresh = audit.audit_cells(more, protected=known), audit.audit_cells(more)
    assert again.recoverable.equals(fresh.recoverable)
    assert again.passed


def test_a_category_run_where_months_add_nothing_is_hidden_whole() -> None:
    """One hidden cell of a category's run of equal cumulative counts, in months that add 0
    to it, hides the run at once (not one neighbour per audit, round after round)."""
    frame = cells.load(breakdown_run_leak())
    chosen, result = secondary.choose(frame)
    run = ((frame["dimension_value"] == "F") & (frame["window"] == "cumulative")).to_numpy()
    assert chosen[run].all() and result.passed
