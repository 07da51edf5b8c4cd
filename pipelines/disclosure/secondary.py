"""Secondary suppression: the further cells to suppress so that no suppressed cell can be
derived from the published ones.

Two steps, repeated until the audit finds nothing:
1. Wherever an equality link (a breakdown and its total, the parts of an additive scope, an
   additive window) has exactly one suppressed cell, it would be the difference of the others:
   one more of its cells is suppressed. The cell chosen is the cheapest non-zero one (a
   hidden 0 protects only upwards): the smallest value, then a category before a total, a partner before a consortium before the partnership, a month before a year before a
   cumulative window, then the fixed order of the cells (so the same data gives the same cells).
2. A hidden cumulative (or year) count that never falls hides the run of equal values it belongs to
   (between equal published neighbours it would be pinned); so does a breakdown's category in
   the months that add nothing to it.
3. A rate of two published indicators is suppressed with its numerator or denominator.
Then the audit (`audit.py`) looks at the whole system: for each cell it still finds
determined (by bounds, or by links taken together), the cheapest published cell of one of its
links is suppressed, and the steps run again. Each audit passes on the cells found protected
so far (more suppressions only relax the system): the next audits solve only for the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.disclosure import audit as auditing
from pipelines.disclosure import cells as cell_frame
from pipelines.disclosure import links as link_model

MAX_ROUNDS = 60
# Complements are chosen from the shortest window first.
WINDOW_RANK = {"month": 0, "year": 1, "cumulative": 2}
log = logging.getLogger(__name__)


def _cost_order(cells: pd.DataFrame) -> np.ndarray:
    """The rank of each cell as a complement, cheapest first."""
    value = cells["value"].fillna(np.inf).to_numpy()
    order = np.lexsort(
        (
            np.arange(len(cells)),
            cells["window"].map(WINDOW_RANK).fillna(0).to_numpy(),
            cells["scope_rank"].to_numpy(),
            cells["is_total"].to_numpy(),
            value,
            value == 0,
        )
    )
    rank = np.empty(len(cells), dtype=np.int64)
    rank[order] = np.arange(len(cells))
    return rank


@dataclass(frozen=True)
class _Terms:
    """The links' terms with what does not change from round to round computed once."""

    con: np.ndarray
    cell: np.ndarray
    count: int
    known: np.ndarray  # a x of each term's cell at its true value
    low_hidden: np.ndarray  # the least a x of a hidden cell
    high_hidden: np.ndarray  # the most
    positive: np.ndarray
    negative: np.ndarray
    eq: np.ndarray
    coef: np.ndarray
    lower: np.ndarray  # the least value of each cell (1 for a count, a cent for money)
    is_count: np.ndarray

    @classmethod
    def of(cls, links: link_model.Links, cells_value: np.ndarray, count: np.ndarray) -> _Terms:
        value = np.nan_to_num(cells_value)
        lower = np.where(count, 1.0, 0.01)
        a, j = links.coef, links.cell
        eq = links.sense[links.con] == link_model.EQ
        return cls(
            con=links.con,
            cell=j,
            count=links.count,
            known=a * value[j],
            low_hidden=np.where(a > 0, a * lower[j], a * auditing.CAP),
            high_hidden=np.where(a > 0, a * auditing.CAP, a * lower[j]),
            positive=a > 0,
            negative=a < 0,
            eq=eq,
            coef=a,
            lower=lower,
            is_count=count,
        )


def _self_pinned(terms: _Terms, suppressed: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Which of the published cells `among` would be determined at once if they alone were
    suppressed now (one of their links, with the other cells as they are, leaves them a
    single value: a cumulative count between two equal neighbours, say). Poor complements:
    chosen last. Only the links holding a cell of `among` are looked at (a cell's bounds
    come from its own links); the flags of the other cells are False."""
    wanted = np.zeros(len(terms.lower), dtype=bool)
    wanted[among] = True
    held = np.zeros(terms.count, dtype=bool)
    held[terms.con[wanted[terms.cell]]] = True
    t = np.flatnonzero(held[terms.con])  # the terms of those links, in their order
    con, j, a, known = terms.con[t], terms.cell[t], terms.coef[t], terms.known[t]
    hidden = suppressed[j]
    low = np.where(hidden, terms.low_hidden[t], known)
    high = np.where(hidden, terms.high_hidden[t], known)
    min_act = np.bincount(con, weights=low, minlength=terms.count)[con] - known
    max_act = np.bincount(con, weights=high, minlength=terms.count)[con] - known
    eq, positive, negative = terms.eq[t], terms.positive[t], terms.negative[t]
    # a x <= -min_act (every link), a x >= -max_act (equalities)
    upper_bound = np.where(positive, -min_act / a, np.where(eq, -max_act / a, np.inf))
    lower_bound = np.where(negative, -min_act / a, np.where(eq, -max_act / a, -np.inf))
    hi = np.full(len(terms.lower), np.inf)
    lo = terms.lower.copy()
    own = ~hidden & wanted[j]
    np.minimum.at(hi, j[own], upper_bound[own])
    np.maximum.at(lo, j[own], lower_bound[own])
    width = np.where(terms.is_count, np.floor(hi + 1e-7) - np.ceil(lo - 1e-7), hi - lo)
    return wanted & ~suppressed & (width < np.where(terms.is_count, 1.0, 0.01))


def _cheapest_per_constraint(con: np.ndarray, cell: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """For terms (con, cell), the cheapest cell of each constraint."""
    if len(con) == 0:
        return np.array([], dtype=np.int64)
    frame = pd.DataFrame({"con": con, "cell": cell, "rank": rank[cell]})
    best = frame.sort_values(["con", "rank"], kind="stable").drop_duplicates("con")
    return np.unique(best["cell"].to_numpy())


def _close_equalities(
    links: link_model.Links, suppressed: np.ndarray, candidate: np.ndarray, costs: _Costs
) -> int:
    """Step 1 until no equality link has a single suppressed cell; returns cells added."""
    eq_terms = links.sense[links.con] == link_model.EQ
    con, cell = links.con[eq_terms], links.cell[eq_terms]
    added = 0
    while True:
        hidden = np.bincount(con, weights=suppressed[cell].astype(float), minlength=links.count)
        single = hidden[con] == 1
        open_terms = single & ~suppressed[cell] & candidate[cell]
        chosen = _cheapest_per_constraint(
            con[open_terms],
            cell[open_terms],
            costs.penalised(suppressed, np.unique(cell[open_terms])),
        )
        if len(chosen) == 0:
            return added
        suppressed[chosen] = True
        added += len(chosen)


@dataclass(frozen=True)
class _Costs:
    """What the choice of a complement looks at: the cells' cost order, values and kinds."""

    rank: np.ndarray
    terms: _Terms

    def penalised(self, suppressed: np.ndarray, among: np.ndarray) -> np.ndarray:
        """The cost order with the cells that would be determined at once moved to the end
        (valid for the cells `among`, the ones the caller compares)."""
        pinned = _self_pinned(self.terms, suppressed, among)
        return self.rank + pinned * len(self.rank)


def _flat_runs(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The runs of equal values that pin a hidden cell between published neighbours equal to
    it, as (cell, run number) pairs: a cumulative (or year) count that never falls, between
    two published neighbours equal to it, is pinned; so is every cell of a run of equal
    values but its ends. A year window's runs end with its year. A breakdown's category is
    not known never to fall, but where its months add nothing (0) it cannot rise either, and
    its runs are pinned the same way: they break where a month adds something."""
    series = ["indicator_code", "scope", "scope_code", "dimension", "dimension_value", "run"]
    linked = cells[
        cells["window"].isin(link_model.RUNNING_WINDOWS)
        & cells["window_link"].isin(["distinct", "weighted", "monotone"])
        & cells["value"].notna()
    ]
    if linked.empty:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    frame = linked[[*series[:-1], "period", "value", "is_total"]].copy()
    frame["run"] = np.where(linked["window"] == "year", linked["period"].str[:4], linked["window"])
    frame["cell"] = linked.index
    month = cells.loc[cells["window"] == "month", [*series[:-1], "period", "value"]]
    frame = frame.merge(
        month.rename(columns={"value": "month_value"}), on=[*series[:-1], "period"], how="left"
    )
    frame = frame.sort_values([*series, "period"], kind="stable")
    key = frame.groupby(series, sort=False).ngroup().to_numpy()
    value = frame["value"].to_numpy()
    adds = ~frame["is_total"].to_numpy() & (frame["month_value"].fillna(1.0).to_numpy() != 0)
    new_run = np.ones(len(frame), dtype=bool)
    new_run[1:] = (key[1:] != key[:-1]) | (value[1:] != value[:-1]) | adds[1:]
    return frame["cell"].to_numpy(), np.cumsum(new_run)


def _close_flat_runs(
    runs: tuple[np.ndarray, np.ndarray], suppressed: np.ndarray, candidate: np.ndarray
) -> None:
    """Where one cell of a run (`_flat_runs`) is hidden, the whole run is (its published
    neighbours then differ)."""
    cell, run = runs
    members = cell[np.isin(run, np.unique(run[suppressed[cell]]))]
    suppressed[members[candidate[members]]] = True


def _follow_rates(pairs: link_model.RatePairs, suppressed: np.ndarray) -> None:
    """Step 3: a rate of two published indicators is hidden when either of them is."""
    hidden = suppressed.copy()
    suppressed[pairs.rate[hidden[pairs.numerator] | hidden[pairs.denominator]]] = True


def _fix_recoverable(
    links: link_model.Links,
    found: np.ndarray,
    suppressed: np.ndarray,
    candidate: np.ndarray,
    costs: _Costs,
    every_link: bool = False,
) -> int:
    """For each recoverable cell, suppress the cheapest published cell of one of its links
    (`every_link`: of each of its links, when one at a time did not suffice). `found`: the
    recoverable cells' positions."""
    targets = np.zeros(len(suppressed), dtype=bool)
    targets[found] = True
    owned = targets[links.cell]
    owners = pd.DataFrame({"con": links.con[owned], "target": links.cell[owned]})
    open_terms = ~suppressed[links.cell] & candidate[links.cell]
    per_con = pd.DataFrame({"con": links.con[open_terms], "cell": links.cell[open_terms]})
    pairs = owners.merge(per_con, on="con")
    if pairs.empty:
        return 0
    among = pairs["cell"].to_numpy()
    pairs["rank"] = costs.penalised(suppressed, np.unique(among))[among]
    by = ["target", "con"] if every_link else ["target"]
    best = pairs.sort_values([*by, "rank"], kind="stable").drop_duplicates(by)
    chosen = np.unique(best["cell"].to_numpy())
    suppressed[chosen] = True
    return len(chosen)


def choose(cells: pd.DataFrame) -> tuple[np.ndarray, auditing.AuditResult]:
    """The cells to suppress (primary and secondary) and the audit of the result."""
    suppressed = cells["suppressed"].to_numpy().copy()
    candidate = cell_frame.suppressible(cells).to_numpy()
    links = link_model.build(cells, rates=False)
    costs = _Costs(
        _cost_order(cells),
        _Terms.of(links, cells["value"].to_numpy(), cell_frame.is_count(cells).to_numpy()),
    )
    full_audits = 0
    protected = np.zeros(len(cells), dtype=bool)  # found protected by an audit of a round
    runs = _flat_runs(cells)
    pairs = link_model.rate_pairs(cells)
    for _ in range(MAX_ROUNDS):
        _close_equalities(links, suppressed, candidate, costs)
        _close_flat_runs(runs, suppressed, candidate)
        _close_equalities(links, suppressed, candidate, costs)
        _follow_rates(pairs, suppressed)
        published = marked(cells, suppressed)
        quick = auditing.pinned(published, links, pairs)
        log.debug("secondary suppression: %d suppressed, %d pinned", suppressed.sum(), quick.sum())
        if quick.any():
            found = np.flatnonzero(quick)
        else:
            result = auditing.audit_cells(published, links, protected, pairs)
            full_audits += 1
            if result.recoverable.empty:
                return suppressed, result
            found = result.recoverable_cells
        if (
            _fix_recoverable(links, found, suppressed, candidate, costs, every_link=full_audits > 1)
            == 0
            and _fix_recoverable(links, found, suppressed, candidate, costs, every_link=True) == 0
        ):
            break
    return suppressed, auditing.audit_cells(marked(cells, suppressed), links, pairs=pairs)


def marked(cells: pd.DataFrame, suppressed: np.ndarray) -> pd.DataFrame:
    """The cells as they would be published with these suppressions (what protect.py
    writes into the marts)."""
    out = cells.copy()
    secondary = suppressed & ~cells["suppressed"].to_numpy()
    out.loc[secondary, "suppression"] = "secondary"
    out["suppressed"] = suppressed
    out.loc[secondary, "display_value"] = "<5"
    return out
