"""The published cells: every row of indicator_values and the published rows of
indicator_breakdowns (partnership and consortia), as one frame.

A cell of indicator_values has `dimension` = 'total'. Each cell carries what the links need
from the catalogue (seeds/indicators.csv): its unit, suppression rule, scope and window links
and, for a rate of two published indicators, their codes; and, at partner scope, the
partner's consortium.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

TOTAL = "total"
KEY = ["indicator_code", "period", "window", "scope", "scope_code", "dimension", "dimension_value"]
SCOPE_RANK = {"partner": 0, "consortium": 1, "partnership": 2}

_CELLS_SQL = """
with cells as (
    select indicator_code, period, "window", scope, coalesce(scope_code, '') as scope_code,
        'total' as dimension, '' as dimension_value, value, suppression, display_value
    from marts.indicator_values
    union all
    select indicator_code, period, "window", scope, coalesce(scope_code, '') as scope_code,
        dimension, dimension_value, value, suppression, display_value
    from marts.indicator_breakdowns
    where suppression is distinct from 'not_published'
)
select cells.*, i.unit, i.suppression_rule, i.scope_link, i.window_link,
    coalesce(i.numerator_code, '') as numerator_code,
    coalesce(i.denominator_code, '') as denominator_code,
    coalesce(p.consortium_code, '') as consortium_code
from cells
join reference.indicators as i using (indicator_code)
left join reference.partners as p
    on cells.scope = 'partner' and cells.scope_code = p.partner_code
order by all
"""


def load(con: Any) -> pd.DataFrame:
    """Every cell, in a fixed order (the same data gives the same frame, hence the same
    choices). `suppressed` is what is published as suppressed; `value` is the exact value."""
    frame = con.execute(_CELLS_SQL).df()
    for column in [
        *KEY,
        "unit",
        "suppression_rule",
        "scope_link",
        "window_link",
        "numerator_code",
        "denominator_code",
        "consortium_code",
    ]:
        frame[column] = frame[column].astype(str)
    frame["value"] = frame["value"].astype(float)
    frame["suppression"] = (
        frame["suppression"].astype(object).where(frame["suppression"].notna(), None)
    )
    frame["suppressed"] = frame["suppression"].notna()
    frame["is_total"] = frame["dimension"] == TOTAL
    frame["scope_rank"] = frame["scope"].map(SCOPE_RANK).astype(int)
    return frame.reset_index(drop=True)


def suppressible(cells: pd.DataFrame) -> pd.Series:
    """Cells that may be suppressed to protect others: counts and sums about people, not 0
    (never figures about organisations; rates follow their numerator and denominator). A
    hidden 0 would protect only upwards, and keeping every suppressed count >= 1 is what lets
    the audit assume it."""
    return cells["suppression_rule"].isin(["count", "recipients"]) & (cells["value"] > 0)


def is_count(cells: pd.DataFrame) -> pd.Series:
    """Whole numbers: every cell in a count unit (persons, households, interventions)."""
    return cells["unit"].isin(["persons", "households", "interventions"])
