"""The published cells: every row of indicator_values, the published rows of
indicator_breakdowns (partnership and consortia) and the counts of reach_by_municipality, as
one frame.

A cell of indicator_values has `dimension` = 'total'. A count of reach_by_municipality is a
cell of dimension 'municipality' (its ISTAT code the category) of the indicator counting the
same keys the same way (persons: REACH_PERSONS, minors: REACH_MINORS_DIRECT, households:
REACH_HOUSEHOLDS); its rate per 1,000 is published only with it. Each cell carries what the links need
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
MUNICIPALITY = "municipality"
# reach_by_municipality's count columns and the indicator whose breakdowns they refine.
MUNICIPALITY_COUNTS = {
    "persons": "REACH_PERSONS",
    "minors": "REACH_MINORS_DIRECT",
    "households": "REACH_HOUSEHOLDS",
}

_MUNICIPALITY_SQL = """
    union all
    select '{code}' as indicator_code, period, "window", 'partnership' as scope,
        '' as scope_code, 'municipality' as dimension, istat_code as dimension_value,
        {column} as value, {column}_suppression as suppression,
        {column}_display as display_value
    from {schema}.reach_by_municipality"""

_CELLS_SQL = """
with cells as (
    select indicator_code, period, "window", scope, coalesce(scope_code, '') as scope_code,
        'total' as dimension, '' as dimension_value, value, suppression, display_value
    from {schema}.indicator_values
    union all
    select indicator_code, period, "window", scope, coalesce(scope_code, '') as scope_code,
        dimension, dimension_value, value, suppression, display_value
    from {schema}.indicator_breakdowns
    where suppression is distinct from 'not_published'{municipalities}
)
select cells.*, i.unit, i.suppression_rule, i.scope_link, i.window_link,
    coalesce(i.numerator_code, '') as numerator_code,
    coalesce(i.denominator_code, '') as denominator_code,
    coalesce(p.consortium_code, '') as consortium_code
from cells
join reference.indicators as i using (indicator_code)
left join reference.partners as p
    on cells.scope = 'partner' and cells.scope_code = p.partner_code
"""


def _cells_sql(con: Any, schema: str) -> str:
    """The cells' query; the municipalities' counts where the warehouse has that mart."""
    has_mart = con.execute(
        "select count(*) from information_schema.tables "
        f"where table_schema = '{schema}' and table_name = 'reach_by_municipality'"
    ).fetchone()[0]
    municipalities = "".join(
        _MUNICIPALITY_SQL.format(code=code, column=column, schema=schema)
        for column, code in MUNICIPALITY_COUNTS.items()
        if has_mart
    )
    return _CELLS_SQL.format(municipalities=municipalities, schema=schema)


def load(con: Any, schema: str = "marts") -> pd.DataFrame:
    """Every cell of the marts in `schema`, in a fixed order, the key's (the same data gives
    the same frame on either engine, hence the same choices). `suppressed` is what is
    published as suppressed; `value` is the exact value. `con`: a warehouse connection
    (pipelines/warehouse/engine.py) or a DuckDB one."""
    sql = _cells_sql(con, schema)
    frame = con.frame(sql) if hasattr(con, "frame") else con.execute(sql).df()
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
    # the key's order as code points (DuckDB's and the C collation's), whatever the server's
    return frame.sort_values(KEY, kind="stable").reset_index(drop=True)


def suppressible(cells: pd.DataFrame) -> pd.Series:
    """Cells that may be suppressed to protect others: counts and sums about people, not 0
    (never figures about organisations; rates follow their numerator and denominator). A
    hidden 0 would protect only upwards, and keeping every suppressed count >= 1 is what lets
    the audit assume it."""
    return cells["suppression_rule"].isin(["count", "recipients"]) & (cells["value"] > 0)


def is_count(cells: pd.DataFrame) -> pd.Series:
    """Whole numbers: every cell in a count unit (persons, households, interventions)."""
    return cells["unit"].isin(["persons", "households", "interventions"])
