"""The audit before publication: can any suppressed cell be derived from the published ones?

It reads the tables as published. Each suppressed cell is an unknown; every published cell is
a known number; the links (`links.py`) are linear constraints (indicators.md: whole numbers,
sums, a distinct count that never falls and never exceeds the sum of its parts). An unknown
count is a whole number >= 1 and an unknown sum of money is > 0 (a zero is published as 0:
secondary suppression never hides one). A cell is protected when a second solution of the
whole system gives it another value; one that has a single possible value is recoverable,
and the check fails.

The range of a cell is that of the linear relaxation (as in tau-ARGUS's audit), rounded in
to whole numbers for counts: a cell is protected when a solution moves it by a whole unit
(a cent for money). Interval propagation first finds the cells that single constraints pin;
then linear programs over the whole system (HiGHS, scipy) push the undecided cells away from
their true values, down and up, and each solution certifies the cells it moved; each cell
still undecided gets its own maximum and minimum over its connected part of the system. The
exact values satisfy every link by construction; a link they break is reported as a model
error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from pipelines.disclosure import cells as cell_frame
from pipelines.disclosure import links as link_model

CAP = 1e9  # an upper bound far above any count or sum, so every program is bounded
_SEED = 20260101


@dataclass
class AuditResult:
    """What the audit found. `recoverable` lists the cells whose value is determined."""

    cells: int
    primary: int
    secondary: int
    recoverable: pd.DataFrame
    broken_links: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # the recoverable cells' positions in the frame audited
    recoverable_cells: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))

    @property
    def passed(self) -> bool:
        return self.recoverable.empty and not self.broken_links

    def summary(self) -> str:
        text = (
            f"disclosure audit: {self.cells} published cells, {self.primary} primary and "
            f"{self.secondary} secondary suppressions, {len(self.recoverable)} recoverable"
        )
        if self.broken_links:
            text += f"; links broken by the exact values: {self.broken_links}"
        return text + f" ({self.seconds:.1f} s)"


@dataclass
class _System:
    """The unknowns (cells) and the constraints A x (=|<=) b left once the known cells are
    substituted."""

    variables: np.ndarray  # cell index of each unknown
    truth: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    a_eq: sparse.csr_matrix
    b_eq: np.ndarray
    a_le: sparse.csr_matrix
    b_le: np.ndarray
    broken: dict[str, int]


def _unknown_bounds(cells: pd.DataFrame, unknown: np.ndarray) -> tuple[np.ndarray, ...]:
    """What anyone knows of a suppressed cell: a count is a whole number >= 1 (0 is published
    as 0, and the secondary suppression never hides a 0), a sum of money is > 0; nothing
    bounds it from above (`<5` also stands for a secondary suppression of any size)."""
    count = cell_frame.is_count(cells.loc[unknown]).to_numpy()
    return np.where(count, 1.0, 0.01), np.full(len(unknown), CAP), count


def _system(cells: pd.DataFrame, links: link_model.Links) -> _System:
    value = cells["value"].to_numpy()
    unknown_mask = (
        cells["suppressed"] & cells["value"].notna() & (cells["suppression_rule"] != "rate")
    ).to_numpy()
    unknown = np.flatnonzero(unknown_mask)
    position = np.full(len(cells), -1)
    position[unknown] = np.arange(len(unknown))
    is_var = position[links.cell] >= 0
    # Known cells move to the right-hand side.
    known = ~is_var
    constant = np.bincount(
        links.con[known],
        weights=links.coef[known] * value[links.cell[known]],
        minlength=links.count,
    )
    has_var = np.bincount(links.con[is_var], minlength=links.count) > 0
    lhs_truth = np.bincount(
        links.con, weights=links.coef * value[links.cell], minlength=links.count
    )
    tol = 1e-6 * (1.0 + np.abs(constant))
    is_eq = links.sense == link_model.EQ
    broken_mask = np.where(is_eq, np.abs(lhs_truth) > tol, lhs_truth > tol)
    broken = pd.Series(links.family[broken_mask]).value_counts().to_dict()
    keep = has_var & ~broken_mask
    lower, upper, integer = _unknown_bounds(cells, unknown)

    def matrix(rows_mask: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
        chosen = np.flatnonzero(rows_mask)
        row_of = np.full(links.count, -1)
        row_of[chosen] = np.arange(len(chosen))
        t = is_var & (row_of[links.con] >= 0)
        a = sparse.csr_matrix(
            (links.coef[t], (row_of[links.con[t]], position[links.cell[t]])),
            shape=(len(chosen), len(unknown)),
        )
        return a, -constant[chosen]

    a_eq, b_eq = matrix(keep & is_eq)
    a_le, b_le = matrix(keep & ~is_eq)
    return _System(
        unknown,
        value[unknown],
        lower,
        upper,
        integer,
        a_eq,
        b_eq,
        a_le,
        b_le,
        {str(k): int(v) for k, v in broken.items()},
    )


def propagate(system: _System, rounds: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Bounds implied by each constraint alone, repeated until nothing moves (interval
    propagation): fast and sound, but not complete. Returns the tightened lower and upper
    bounds; a cell where they meet is determined."""
    a = sparse.vstack([system.a_le, system.a_eq, -system.a_eq]).tocoo()
    b = np.concatenate([system.b_le, system.b_eq, -system.b_eq])
    row, col, coef = a.row, a.col, a.data
    lower, upper = system.lower.copy(), system.upper.copy()
    positive = coef > 0
    for _ in range(rounds):
        low_part = np.where(positive, coef * lower[col], coef * upper[col])
        activity = np.bincount(row, weights=low_part, minlength=len(b))
        slack = b[row] - (activity[row] - low_part)  # what the rest leaves for this term
        bound = slack / coef
        new_upper, new_lower = upper.copy(), lower.copy()
        np.minimum.at(new_upper, col[positive], bound[positive])
        np.maximum.at(new_lower, col[~positive], bound[~positive])
        whole = system.integer
        new_upper[whole] = np.floor(new_upper[whole] + 1e-7)
        new_lower[whole] = np.ceil(new_lower[whole] - 1e-7)
        # never past the truth (rounding noise on sums of money)
        new_upper = np.maximum(new_upper, system.truth)
        new_lower = np.minimum(new_lower, system.truth)
        if np.array_equal(new_upper, upper) and np.array_equal(new_lower, lower):
            break
        lower, upper = new_lower, new_upper
    return lower, upper


def _components(system: _System) -> np.ndarray:
    """The connected parts of the system: unknowns sharing a constraint, transitively."""
    n = len(system.variables)
    both = sparse.vstack([system.a_eq, system.a_le]).tocsr()
    edges_from, edges_to = [], []
    for row in range(both.shape[0]):
        cols = both.indices[both.indptr[row] : both.indptr[row + 1]]
        if len(cols) > 1:
            edges_from.append(cols[:-1])
            edges_to.append(cols[1:])
    if edges_from:
        f, t = np.concatenate(edges_from), np.concatenate(edges_to)
    else:
        f = t = np.array([], dtype=np.int64)
    graph = sparse.coo_matrix((np.ones(len(f)), (f, t)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _tolerance(system: _System) -> np.ndarray:
    """How far a solution must move a cell to show a second value: a whole unit for a count
    (the range then holds two whole numbers), a cent for money."""
    return np.where(system.integer, 1.0 - 1e-6, 0.01)


def _solve_lp(system: _System, c: np.ndarray) -> np.ndarray | None:
    res = linprog(
        c,
        A_ub=system.a_le if system.a_le.shape[0] else None,
        b_ub=system.b_le if system.a_le.shape[0] else None,
        A_eq=system.a_eq if system.a_eq.shape[0] else None,
        b_eq=system.b_eq if system.a_eq.shape[0] else None,
        bounds=np.column_stack([system.lower, system.upper]),
        method="highs",
    )
    return res.x if res.status == 0 else None


def _certify_with_lp(system: _System, component: np.ndarray, certified: np.ndarray) -> None:
    """Linear programs over the whole system, each pushing the undecided cells away from
    their true values (a cell at its lower bound can only go up; the others are pushed down
    and up in turn); the cells where an integral part of a solution differs from the truth
    are certified. Stops when two pushes in a row certify nothing."""
    rng = np.random.default_rng(_SEED)
    n = len(system.variables)
    weights = rng.uniform(1.0, 2.0, n)
    tol = _tolerance(system)
    at_floor = system.truth - system.lower < tol
    idle, turn = 0, 0
    while idle < 2 and not certified.all():
        before = int(certified.sum())
        down = np.where(at_floor, -1.0, 1.0 if turn % 2 == 0 else -1.0)
        x = _solve_lp(system, np.where(certified, 0.0, down * weights))
        if x is not None:
            certified |= np.abs(x - system.truth) >= tol
        idle = idle + 1 if certified.sum() == before else 0
        turn += 1


def _sub(system: _System, members: np.ndarray) -> tuple[list[LinearConstraint], Bounds]:
    constraints = []
    for a, b, lower_rhs in ((system.a_eq, system.b_eq, True), (system.a_le, system.b_le, False)):
        if a.shape[0] == 0:
            continue
        part = a[:, members]
        rows = np.flatnonzero(np.diff(part.tocsr().indptr) > 0)
        if len(rows) == 0:
            continue
        rhs = b[rows]
        constraints.append(LinearConstraint(part[rows], rhs if lower_rhs else -np.inf, rhs))
    return constraints, Bounds(system.lower[members], system.upper[members])


def _certify_one_by_one(
    system: _System, component: np.ndarray, certified: np.ndarray
) -> np.ndarray:
    """For each undecided cell, the maximum and then the minimum of the linear relaxation over
    its part of the system; returns the cells with a single possible value."""
    tol = _tolerance(system)
    recoverable = np.zeros(len(system.variables), dtype=bool)
    order = np.argsort(component, kind="stable")
    starts = np.searchsorted(component[order], np.arange(component.max() + 2))
    for part in np.unique(component[~certified]):
        members = order[starts[part] : starts[part + 1]]
        constraints, bounds = _sub(system, members)
        for local in range(len(members)):
            i = members[local]
            if certified[i]:
                continue
            for direction in (-1.0, 1.0):  # maximise, then minimise
                c = np.zeros(len(members))
                c[local] = direction
                res = milp(c, constraints=constraints, bounds=bounds)  # no integrality: LP
                if res.status != 0 or res.x is None:
                    continue
                moved = np.abs(res.x - system.truth[members]) >= tol[members]
                certified[members[moved]] = True
                if certified[i]:
                    break
            recoverable[i] = not certified[i]
    return recoverable


def audit_cells(
    cells: pd.DataFrame,
    base: link_model.Links | None = None,
    protected: np.ndarray | None = None,
    pairs: link_model.RatePairs | None = None,
) -> AuditResult:
    """The audit of a frame of cells (cells.load): what the published ones allow. `base`:
    the links without rates, and `pairs` the frame's rate pairs, when the caller already has
    them.

    `protected` (one flag per cell, updated): the cells an earlier audit of the same values
    found protected, when only more cells have been suppressed since. Suppressing a cell
    only relaxes the system (the solution that moved a protected cell stays a solution, with
    the newly hidden cells at their true values; a rate's links go with its publication), so
    a protected cell stays protected and is not solved for again: the secondary suppression
    audits, round after round, a system that grows by a few cells."""
    started = time.perf_counter()
    pairs = link_model.rate_pairs(cells) if pairs is None else pairs
    base = link_model.build(cells, rates=False) if base is None else base
    links = link_model.with_rates(cells, base, pairs)
    system = _system(cells, links)
    recoverable = np.zeros(len(cells), dtype=bool)
    if len(system.variables):
        component = _components(system)
        lower, upper = propagate(system)
        pinned = (upper - lower) < _tolerance(system) * 0.01
        certified = (
            np.zeros(len(system.variables), dtype=bool)
            if protected is None
            else protected[system.variables].copy()
        )
        _certify_with_lp(system, component, certified)
        certified[pinned] = False
        undecided = ~certified & ~pinned
        certified[pinned] = True  # settled: determined; the programs below skip them
        found = _certify_one_by_one(system, component, certified | ~undecided) | pinned
        recoverable[system.variables[found]] = True
        if protected is not None:
            protected[system.variables[~found]] = True
    recoverable |= _recoverable_rates(cells, pairs)
    found = cells.loc[recoverable, [*cell_frame.KEY, "value", "suppression"]]
    return AuditResult(
        cells=len(cells),
        primary=int((cells["suppression"] == "primary").sum()),
        secondary=int((cells["suppression"] == "secondary").sum()),
        recoverable=found.reset_index(drop=True),
        broken_links=system.broken,
        seconds=time.perf_counter() - started,
        recoverable_cells=np.flatnonzero(recoverable),
    )


def pinned(
    cells: pd.DataFrame,
    base: link_model.Links | None = None,
    pairs: link_model.RatePairs | None = None,
) -> np.ndarray:
    """The suppressed cells that interval propagation alone shows determined (fast, sound,
    not complete): what the secondary suppression fixes before the full audit."""
    out = np.zeros(len(cells), dtype=bool)
    pairs = link_model.rate_pairs(cells) if pairs is None else pairs
    base = link_model.build(cells, rates=False) if base is None else base
    links = link_model.with_rates(cells, base, pairs)
    system = _system(cells, links)
    if len(system.variables):
        lower, upper = propagate(system)
        out[system.variables[(upper - lower) < _tolerance(system) * 0.01]] = True
    return out | _recoverable_rates(cells, pairs)


def _recoverable_rates(cells: pd.DataFrame, pairs: link_model.RatePairs) -> np.ndarray:
    """A suppressed rate of two published indicators whose numerator and denominator are both
    published is their quotient."""
    hidden = cells["suppressed"].to_numpy()
    out = np.zeros(len(cells), dtype=bool)
    found = hidden[pairs.rate] & ~hidden[pairs.numerator] & ~hidden[pairs.denominator]
    out[pairs.rate[found]] = True
    return out


def audit(con: Any, schema: str = "marts") -> AuditResult:
    """The audit of the warehouse's marts (in `schema`) as they would be published."""
    return audit_cells(cell_frame.load(con, schema))
