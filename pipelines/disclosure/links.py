"""The linear links between published cells that anyone holding them can use (indicators.md,
"Publication and suppression"), as constraints `sum(coef * cell) = 0` or `<= 0`:

- breakdown: the categories of a breakdown add up to its total; the municipalities of the
  Ambito refine the residence breakdown (Crema's count is the CREMA category's, the other 47
  add up to AMBITO's) and add up to at most the total;
- scope: a consortium's value and its partners' (the partnership's and the consortia's) -
  equal to the sum for households, interventions and EUR (`additive`), at most the sum and at
  least each part for distinct persons (`bounded`), at least each part for persons with two
  or more partners or areas (`at_least`);
- window: the first month's cumulative value is the month's; then the cumulative value is the
  previous one plus the month (`additive`), or never falls, is at most the previous plus the
  month and at least the month (`distinct`; categories move between months, so for them only
  the last two), the same for a sum of each household's largest figure (`weighted`,
  MINORS_IN_HOUSEHOLDS: a household that changes category brings its largest figure, not the
  month's, so for categories only "at least the month"), or never falls and is at least the
  month (`monotone`). The year window is the same, starting again each January; and the
  cumulative value is the year before's last plus the year's (`additive`), or at least the
  year's and at most the year before's plus the year's (`distinct`, `weighted` as above), or
  at least the year's (`monotone`);
- rate: a published rate of two published indicators (SHARE_HOUSEHOLDS_MINORS,
  FIN_COST_PER_PERSON) ties its numerator to its denominator, within the rounding of its
  published text.
The catalogue (seeds/indicators.csv) says which link each indicator has.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

EQ, LE = "eq", "le"
# The windows that sum their months (indicators.md): from the partnership's start, and from
# January of the period's year.
RUNNING_WINDOWS = ("cumulative", "year")
MUNICIPALITY = "municipality"
CREMA = "019035"
# Half the last published digit: a rate is published with 4 decimals, EUR with 2.
ROUNDING = {"rate": 0.00005, "EUR": 0.005}


@dataclass(frozen=True)
class Links:
    """Constraints over cells: term k says coef[k] * cell[k] belongs to constraint con[k]."""

    con: np.ndarray
    cell: np.ndarray
    coef: np.ndarray
    sense: np.ndarray  # per constraint: EQ or LE
    family: np.ndarray  # per constraint: breakdown, scope, window or rate

    @property
    def count(self) -> int:
        return len(self.sense)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.senses: list[np.ndarray] = []
        self.families: list[np.ndarray] = []
        self.next_id = 0

    def add(self, terms: pd.DataFrame, sense: str, family: str) -> None:
        """`terms` has columns group (any hashable per constraint), cell, coef."""
        terms = terms.dropna(subset=["cell"])
        if terms.empty:
            return
        ids = terms.groupby("group", sort=True).ngroup().to_numpy()
        n = int(ids.max()) + 1
        self.parts.append(
            pd.DataFrame(
                {
                    "con": ids + self.next_id,
                    "cell": terms["cell"].to_numpy().astype(np.int64),
                    "coef": terms["coef"].to_numpy().astype(float),
                }
            )
        )
        self.senses.append(np.full(n, sense, dtype=object))
        self.families.append(np.full(n, family, dtype=object))
        self.next_id += n

    def build(self) -> Links:
        if not self.parts:
            empty = np.array([], dtype=np.int64)
            return Links(
                empty,
                empty,
                np.array([], dtype=float),
                np.array([], dtype=object),
                np.array([], dtype=object),
            )
        terms = pd.concat(self.parts, ignore_index=True)
        return Links(
            terms["con"].to_numpy(),
            terms["cell"].to_numpy(),
            terms["coef"].to_numpy(),
            np.concatenate(self.senses),
            np.concatenate(self.families),
        )


def _with_index(cells: pd.DataFrame) -> pd.DataFrame:
    frame = cells[cells["value"].notna()].copy()
    frame["cell"] = frame.index
    return frame


def _group(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return frame.groupby(columns, sort=False).ngroup()


def _terms(group: pd.Series, cell: pd.Series, coef: float | pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": group.to_numpy(),
            "cell": cell.to_numpy(),
            "coef": coef if np.isscalar(coef) else np.asarray(coef),
        }
    )


def _breakdowns(cells: pd.DataFrame, out: _Builder) -> None:
    key = ["indicator_code", "period", "window", "scope", "scope_code"]
    cats = cells[~cells["is_total"] & (cells["dimension"] != MUNICIPALITY)]
    totals = cells[cells["is_total"]][[*key, "cell"]].rename(columns={"cell": "total"})
    cats = cats.merge(totals, on=key, how="inner")
    cats["group"] = _group(cats, [*key, "dimension"])
    heads = cats.drop_duplicates("group")
    out.add(
        pd.concat(
            [_terms(cats["group"], cats["cell"], 1.0), _terms(heads["group"], heads["total"], -1.0)]
        ),
        EQ,
        "breakdown",
    )


def _municipalities(cells: pd.DataFrame, out: _Builder) -> None:
    """Crema = the CREMA category, the other municipalities add up to AMBITO (residence
    breakdown), and all of them to at most the total (the rest live outside or are SFD)."""
    key = ["indicator_code", "period", "window", "scope", "scope_code"]
    towns = cells[cells["dimension"] == MUNICIPALITY].copy()
    if towns.empty:
        return
    towns["residence"] = np.where(towns["dimension_value"] == CREMA, "CREMA", "AMBITO")
    residence = cells[cells["dimension"] == "residence"][[*key, "dimension_value", "cell"]]
    residence = residence.rename(columns={"dimension_value": "residence", "cell": "class_cell"})
    parts = towns.merge(residence, on=[*key, "residence"], how="inner")
    parts["group"] = _group(parts, [*key, "residence"])
    heads = parts.drop_duplicates("group")
    out.add(
        pd.concat(
            [
                _terms(parts["group"], parts["cell"], 1.0),
                _terms(heads["group"], heads["class_cell"], -1.0),
            ]
        ),
        EQ,
        "breakdown",
    )
    totals = cells[cells["is_total"]][[*key, "cell"]].rename(columns={"cell": "total"})
    within = towns.merge(totals, on=key, how="inner")
    within["group"] = _group(within, key)
    heads = within.drop_duplicates("group")
    out.add(
        pd.concat(
            [
                _terms(within["group"], within["cell"], 1.0),
                _terms(heads["group"], heads["total"], -1.0),
            ]
        ),
        LE,
        "breakdown",
    )


def _parents(cells: pd.DataFrame) -> pd.DataFrame:
    """Each partner cell with its consortium's cell, each consortium cell with the
    partnership's (columns cell, parent)."""
    key = ["indicator_code", "period", "window", "dimension", "dimension_value"]
    linked = cells[cells["scope_link"] != "none"]
    parts = linked[linked["scope"] != "partnership"].copy()
    parts["parent_scope"] = np.where(parts["scope"] == "partner", "consortium", "partnership")
    parts["parent_code"] = np.where(parts["scope"] == "partner", parts["consortium_code"], "")
    wholes = linked[linked["scope"] != "partner"][[*key, "scope", "scope_code", "cell"]].rename(
        columns={"scope": "parent_scope", "scope_code": "parent_code", "cell": "parent"}
    )
    return parts.merge(wholes, on=[*key, "parent_scope", "parent_code"], how="inner")


def _scopes(cells: pd.DataFrame, out: _Builder) -> None:
    pairs = _parents(cells)
    pairs["group"] = pairs["parent"]
    for link, sense in (("additive", EQ), ("bounded", LE)):
        sub = pairs[pairs["scope_link"] == link]
        heads = sub.drop_duplicates("group")
        # additive: sum(parts) - whole = 0; bounded: whole - sum(parts) <= 0
        sign = 1.0 if link == "additive" else -1.0
        out.add(
            pd.concat(
                [
                    _terms(sub["group"], sub["cell"], sign),
                    _terms(heads["group"], heads["parent"], -sign),
                ]
            ),
            sense,
            "scope",
        )
    # Each part is at most the whole, for distinct persons (totals only: a person's category
    # can differ between a partner and its consortium).
    sub = pairs[pairs["scope_link"].isin(["bounded", "at_least"]) & pairs["is_total"]]
    group = pd.Series(np.arange(len(sub)))
    out.add(
        pd.concat([_terms(group, sub["cell"], 1.0), _terms(group, sub["parent"], -1.0)]),
        LE,
        "scope",
    )


def _windows(cells: pd.DataFrame, out: _Builder) -> None:
    series_key = ["indicator_code", "scope", "scope_code", "dimension", "dimension_value"]
    linked = cells[cells["window_link"] != "none"]
    periods = sorted(linked["period"].unique())
    month = linked[linked["window"] == "month"][
        [*series_key, "period", "cell", "window_link", "is_total"]
    ]
    for window in RUNNING_WINDOWS:
        # the month before, within the window (a year window starts again in January)
        previous = {p: q for q, p in pairwise(periods) if window == "cumulative" or q[:4] == p[:4]}
        running = linked[linked["window"] == window][[*series_key, "period", "cell"]]
        _running_window(month, running, previous, series_key, out)
    _year_in_cumulative(linked, periods, series_key, out)


def _running_window(
    month: pd.DataFrame,
    running: pd.DataFrame,
    previous: dict[str, str],
    series_key: list[str],
    out: _Builder,
) -> None:
    """A running window (cumulative, year) with the months it sums: its first month's value
    is the month's; then it is the previous value plus the month (additive), or within the
    bounds the window link allows."""
    rows = month.rename(columns={"cell": "m"}).merge(
        running.rename(columns={"cell": "c"}), on=[*series_key, "period"], how="inner"
    )
    rows["previous"] = rows["period"].map(lambda p: previous.get(p, "")).astype(str)
    rows = rows.merge(
        running.rename(columns={"cell": "p", "period": "previous"}),
        on=[*series_key, "previous"],
        how="left",
    )
    first = rows[rows["previous"] == ""]
    group = pd.Series(np.arange(len(first)))
    out.add(
        pd.concat([_terms(group, first["c"], 1.0), _terms(group, first["m"], -1.0)]), EQ, "window"
    )
    rows = rows[rows["p"].notna()]
    link, total = rows["window_link"], rows["is_total"]
    _add(out, rows[link == "additive"], {"c": 1.0, "p": -1.0, "m": -1.0}, EQ)
    _add(
        out,
        rows[(link == "distinct") | ((link == "weighted") & total)],
        {"c": 1.0, "p": -1.0, "m": -1.0},
        LE,
    )
    _add(
        out,
        rows[link.isin(["distinct", "weighted"]) | ((link == "monotone") & total)],
        {"m": 1.0, "c": -1.0},
        LE,
    )
    _add(
        out,
        rows[link.isin(["distinct", "weighted", "monotone"]) & total],
        {"p": 1.0, "c": -1.0},
        LE,
    )


def _year_in_cumulative(
    linked: pd.DataFrame, periods: list[str], series_key: list[str], out: _Builder
) -> None:
    """The year window inside the cumulative one: the cumulative value is the last value of
    the year before plus the year's (additive), or at least the year's and at most the year
    before's plus the year's (distinct); for persons with two or more partners or areas
    (monotone) only at least the year's."""
    last_of_year_before = {}
    for p in periods:
        earlier = [q for q in periods if q[:4] < p[:4]]
        last_of_year_before[p] = earlier[-1] if earlier else ""
    year = linked[linked["window"] == "year"][
        [*series_key, "period", "cell", "window_link", "is_total"]
    ]
    cumulative = linked[linked["window"] == "cumulative"][[*series_key, "period", "cell"]]
    rows = year.rename(columns={"cell": "y"}).merge(
        cumulative.rename(columns={"cell": "c"}), on=[*series_key, "period"], how="inner"
    )
    rows["before"] = rows["period"].map(last_of_year_before).astype(str)
    rows = rows.merge(
        cumulative.rename(columns={"cell": "b", "period": "before"}),
        on=[*series_key, "before"],
        how="left",
    )
    link, total = rows["window_link"], rows["is_total"]
    # in the first year the two windows are the same
    _add(out, rows[rows["before"] == ""], {"c": 1.0, "y": -1.0}, EQ)
    rows, link, total = rows[rows["b"].notna()], link[rows["b"].notna()], total[rows["b"].notna()]
    _add(out, rows[link == "additive"], {"c": 1.0, "b": -1.0, "y": -1.0}, EQ)
    _add(
        out,
        rows[(link == "distinct") | ((link == "weighted") & total)],
        {"c": 1.0, "b": -1.0, "y": -1.0},
        LE,
    )
    _add(
        out,
        rows[link.isin(["distinct", "weighted"]) | ((link == "monotone") & total)],
        {"y": 1.0, "c": -1.0},
        LE,
    )


def _add(out: _Builder, sub: pd.DataFrame, coefs: dict[str, float], sense: str) -> None:
    """One constraint per row of `sub`: sum(coef * cell in column) (=, <=) 0."""
    group = pd.Series(np.arange(len(sub)))
    out.add(
        pd.concat([_terms(group, sub[col], coef) for col, coef in coefs.items()]),
        sense,
        "window",
    )


@dataclass(frozen=True)
class RatePairs:
    """Each rate of two published indicators (SHARE_HOUSEHOLDS_MINORS, FIN_COST_PER_PERSON)
    with the cells of its numerator and denominator and its published text as a number (NaN
    where it is not one: `<5`, no value). Which cell is whose part does not change while the
    secondary suppression hides more cells, so it is found once per frame of cells."""

    rate: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    published: np.ndarray
    eps: np.ndarray  # half the last published digit
    valued: np.ndarray  # the rate, its numerator and its denominator all have a value

    def linked(self, suppressed: np.ndarray) -> np.ndarray:
        """The pairs whose rate is published, as a number, with these suppressions."""
        return self.valued & ~suppressed[self.rate] & ~np.isnan(self.published)


def rate_pairs(cells: pd.DataFrame) -> RatePairs:
    key = ["period", "window", "scope", "scope_code"]
    totals = cells[cells["is_total"]].assign(cell=lambda f: f.index)
    lookup = totals[["indicator_code", *key, "cell"]]
    rates = (
        totals[totals["numerator_code"] != ""]
        .merge(
            lookup.rename(columns={"indicator_code": "numerator_code", "cell": "n"}),
            on=["numerator_code", *key],
        )
        .merge(
            lookup.rename(columns={"indicator_code": "denominator_code", "cell": "d"}),
            on=["denominator_code", *key],
        )
    )
    value = cells["value"].to_numpy()
    rate, n, d = (rates[c].to_numpy().astype(np.int64) for c in ("cell", "n", "d"))
    return RatePairs(
        rate=rate,
        numerator=n,
        denominator=d,
        published=pd.to_numeric(rates["display_value"], errors="coerce").to_numpy(  # not the value
            dtype=float, na_value=np.nan
        ),
        eps=rates["unit"].map(ROUNDING).fillna(0.0).to_numpy(dtype=float),
        valued=~(np.isnan(value[rate]) | np.isnan(value[n]) | np.isnan(value[d])),
    )


def _rates(pairs: RatePairs, suppressed: np.ndarray, out: _Builder) -> None:
    keep = pairs.linked(suppressed)
    n, d = pd.Series(pairs.numerator[keep]), pd.Series(pairs.denominator[keep])
    r, eps = pairs.published[keep], pairs.eps[keep]
    group = pd.Series(np.arange(int(keep.sum())))
    # n <= (r + eps) d and n >= (r - eps) d
    out.add(pd.concat([_terms(group, n, 1.0), _terms(group, d, -(r + eps))]), LE, "rate")
    out.add(pd.concat([_terms(group, n, -1.0), _terms(group, d, r - eps)]), LE, "rate")


def build(cells: pd.DataFrame, rates: bool = True) -> Links:
    """Every link among the cells with a value. Rate links depend on which rates are
    published, so the secondary suppression, which keeps rates with their parts, leaves them
    out (`rates=False`); the audit includes them (`with_rates`)."""
    frame = _with_index(cells)
    out = _Builder()
    _breakdowns(frame, out)
    _municipalities(frame, out)
    _scopes(frame, out)
    _windows(frame, out)
    if rates:
        _rates(rate_pairs(cells), cells["suppressed"].to_numpy(), out)
    return out.build()


def with_rates(cells: pd.DataFrame, base: Links, pairs: RatePairs | None = None) -> Links:
    """`base` (the links that do not depend on what is published) and the rate links
    (`pairs`: the frame's `rate_pairs`, when the caller already has them)."""
    out = _Builder()
    _rates(rate_pairs(cells) if pairs is None else pairs, cells["suppressed"].to_numpy(), out)
    extra = out.build()
    return Links(
        np.concatenate([base.con, extra.con + base.count]),
        np.concatenate([base.cell, extra.cell]),
        np.concatenate([base.coef, extra.coef]),
        np.concatenate([base.sense, extra.sense]),
        np.concatenate([base.family, extra.family]),
    )
