"""Read what the reports show from the published warehouse copy (read-only).

Only `display_value` leaves this module as a published figure: the exact `value` of a
suppressed cell is never selected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

SUPPRESSED = "<5"


@dataclass(frozen=True)
class Cell:
    """One published figure: its text as published and, when not suppressed, its number."""

    display: str | None
    suppressed: bool

    @property
    def number(self) -> float | None:
        if self.suppressed or self.display is None:
            return None
        try:
            return float(self.display)
        except ValueError:
            return None

    @property
    def text(self) -> str:
        if self.suppressed:
            return SUPPRESSED
        return self.display if self.display is not None else "n.d."


class Warehouse:
    """A read-only connection to the published copy, closed by `close()` or `with`."""

    def __init__(self, path: Path) -> None:
        self.con = duckdb.connect(str(path), read_only=True)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def periods(self, through: str) -> list[str]:
        return [
            r["period"]
            for r in self.rows(
                "select period from marts.dim_period where period <= ? order by period", [through]
            )
        ]

    def latest_due_period(self) -> str | None:
        got = self.rows("select max(period) as p from marts.dim_period where is_due")
        return got[0]["p"] if got else None

    def indicators(self) -> list[dict[str, Any]]:
        return self.rows(
            "select i.indicator_code, i.indicator_name_it, i.definition_it, i.unit, i.area_code, "
            "a.area_label_it, i.partner_scope from reference.indicators i "
            "left join reference.areas a using (area_code) order by i.indicator_code"
        )

    def areas(self) -> list[dict[str, Any]]:
        return self.rows("select area_code, area_label_it from reference.areas")

    def cells(
        self, scope: str, scope_code: str | None, periods: list[str], window: str
    ) -> dict[tuple[str, str], Cell]:
        """(indicator_code, period) -> published cell, for one scope and window."""
        got = self.rows(
            "select indicator_code, period, display_value, is_suppressed "
            "from marts.indicator_values where scope = ? and scope_code is not distinct from ? "
            'and "window" = ? and list_contains(?, period)',
            [scope, scope_code, window, periods],
        )
        return {
            (r["indicator_code"], r["period"]): Cell(r["display_value"], bool(r["is_suppressed"]))
            for r in got
        }

    def table(self, scope: str, first: str, last: str) -> list[dict[str, Any]]:
        """The published indicator table of a scope for a period range (no exact values)."""
        return self.rows(
            'select v.indicator_code, i.indicator_name_it, v.period, v."window", v.scope_code, '
            "case when v.is_suppressed then '<5' else v.display_value end as display_value, "
            "v.is_suppressed, i.unit from marts.indicator_values v "
            "join reference.indicators i using (indicator_code) "
            "where v.scope = ? and v.period between ? and ? "
            'order by v.scope_code, v.indicator_code, v.period, v."window"',
            [scope, first, last],
        )

    def breakdowns(
        self, period: str, window: str, scope: str = "partnership", scope_code: str | None = None
    ) -> list[dict[str, Any]]:
        """The published breakdown cells of one period, window and scope (partnership and
        consortia only: a partner's breakdowns are not published), in display order."""
        return self.rows(
            "select b.indicator_code, b.dimension, b.dimension_value, c.label_it, "
            "case when b.is_suppressed then '<5' else b.display_value end as display_value, "
            "b.is_suppressed from marts.indicator_breakdowns b "
            "join reference.breakdown_categories c using (dimension, dimension_value) "
            'where b.period = ? and b."window" = ? and b.scope = ? '
            "and b.scope_code is not distinct from ? and b.display_value is not null "
            "order by b.indicator_code, b.dimension, c.sort_order",
            [period, window, scope, scope_code],
        )

    def breakdown_table(self, first: str, last: str) -> list[dict[str, Any]]:
        """Every published breakdown cell for a period range (no exact values)."""
        return self.rows(
            'select b.indicator_code, i.indicator_name_it, b.period, b."window", b.scope, '
            "b.scope_code, b.dimension, b.dimension_value, c.label_it, "
            "case when b.is_suppressed then '<5' else b.display_value end as display_value "
            "from marts.indicator_breakdowns b join reference.indicators i using (indicator_code) "
            "join reference.breakdown_categories c using (dimension, dimension_value) "
            "where b.period between ? and ? and b.display_value is not null "
            "order by b.scope, b.scope_code nulls first, b.indicator_code, b.period, "
            'b."window", b.dimension, c.sort_order',
            [first, last],
        )

    def follow_up_indicators(self) -> list[dict[str, Any]]:
        return self.rows(
            "select indicator_code, indicator_name_it, definition_it, horizon_months, "
            "lower_is_better from reference.follow_up_indicators order by indicator_code"
        )

    def cohorts(self, scopes: list[str]) -> list[dict[str, Any]]:
        """The published cohorts of the given scopes (display values only), by cohort."""
        return self.rows(
            "select indicator_code, cohort, scope, scope_code, display_value, is_suppressed "
            "from marts.cohort_outcomes where list_contains(?, scope) "
            "order by indicator_code, scope <> 'partnership', scope_code nulls first, cohort",
            [scopes],
        )

    def reach_by_municipality(self, period: str, window: str) -> list[dict[str, Any]]:
        """The municipalities of the Ambito for one period and window: published texts of
        the counts and rates, the resident population (public ISTAT figures) and its year."""
        return self.rows(
            "select istat_code, municipality_name, persons_display, minors_display, "
            "households_display, persons_per_1000_display, minors_per_1000_minors_display, "
            "population, population_minors, population_year "
            'from marts.reach_by_municipality where period = ? and "window" = ? '
            "order by municipality_name",
            [period, window],
        )

    def consortia(self) -> list[dict[str, Any]]:
        return self.rows(
            "select consortium_code, any_value(consortium_name) as consortium_name, "
            "sum(budget_eur)::double as budget_eur, sum(cofinancing_eur)::double as cofinancing_eur "
            "from marts.dim_partner group by consortium_code order by consortium_code"
        )

    def partners(self) -> list[dict[str, Any]]:
        return self.rows(
            "select partner_code, partner_name, consortium_code, consortium_name, "
            "budget_eur::double as budget_eur from marts.dim_partner order by partner_code"
        )

    def calendar(self, through: str, partner: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "select partner_code, period, status, versions, received_at, due_date "
            "from marts.submission_calendar where period <= ?"
        )
        params: list[Any] = [through]
        if partner is not None:
            sql += " and partner_code = ?"
            params.append(partner)
        return self.rows(sql + " order by partner_code, period", params)

    def unapproved(self, period: str) -> list[str]:
        """Partners whose month is not yet approved by the steward (its figures provisional)."""
        return [
            r["partner_code"]
            for r in self.rows(
                "select partner_code from marts.submission_calendar where period = ? "
                "and not is_approved order by partner_code",
                [period],
            )
        ]

    def finality(
        self, period: str, scope: str = "partnership", scope_code: str | None = None
    ) -> dict[str, bool]:
        """Window -> whether the scope's figures of the period are final (every partner-month
        they depend on approved)."""
        return {
            r["window"]: bool(r["is_final"])
            for r in self.rows(
                'select "window", is_final from intermediate.int_indicator_finality '
                "where period = ? and scope = ? and scope_code is not distinct from ?",
                [period, scope, scope_code],
            )
        }

    def submissions(self, partner: str, through: str) -> list[dict[str, Any]]:
        return self.rows(
            "select period, file_name, received_at, version, status, rows_read, rows_accepted, "
            "errors, warnings from marts.submissions where partner_code = ? and period <= ? "
            "order by period, version",
            [partner, through],
        )
