"""Run the Great Expectations suites of `expectations/` over a run's validation frames.

One GX pass per table for the whole batch (importing GX alone costs seconds). GX sees the
batch's distinct values (see `validate_frames`); the rows it finds unexpected are mapped
back to (file index, spreadsheet row) pairs, and each expectation's `meta` says which rule,
severity and partner column it stands for.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from pipelines import reference
from pipelines.validation import rowwise

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "expectations"
log = logging.getLogger(__name__)


Engine = Literal["gx", "pandas"]
"""Who evaluates a suite that runs on distinct values: GX itself, or `rowwise` (the same
pandas operations without GX's import; GX still decides whatever `rowwise` cannot)."""


@dataclass(frozen=True)
class RowFailure:
    table: str
    file_index: int
    row: int
    rule: str
    severity: str
    column: str  # canonical column whose value is reported
    message: str
    expected: str


def _resolve(value: Any) -> Any:
    if isinstance(value, dict) and "$seed" in value:
        if value["$seed"] == "service_codes":
            return sorted(reference.services())
        raise ValueError(f"unknown seed reference {value['$seed']}")
    return value


@cache
def load_suite(table: str) -> dict[str, Any]:
    doc = json.loads((EXPECTATIONS_DIR / f"{table}.json").read_text(encoding="utf-8"))
    for exp in doc["expectations"]:
        exp["kwargs"] = {k: _resolve(v) for k, v in exp["kwargs"].items()}
    return doc


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


@cache
def _context():
    gx = _gx()
    ctx = gx.get_context(mode="ephemeral")
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # progress bars only affect the console
        log.debug("could not turn GX progress bars off")
    return ctx


# Map expectations whose verdict on a row depends on nothing but that row's values in the
# columns the expectation names, and how finely those values must be told apart: "null"
# (null or not), "length" (null, or the length of the text) or "value" (the value itself).
_ROW_WISE: dict[str, str] = {
    "expect_column_values_to_not_be_null": "null",
    "expect_column_values_to_be_null": "null",
    "expect_column_value_lengths_to_be_between": "length",
    "expect_column_value_lengths_to_equal": "length",
    "expect_column_values_to_be_in_set": "value",
    "expect_column_values_to_not_be_in_set": "value",
    "expect_column_values_to_be_between": "value",
    "expect_column_values_to_match_regex": "value",
    "expect_column_values_to_not_match_regex": "value",
    "expect_column_pair_values_to_be_equal": "value",
    "expect_column_pair_values_a_to_be_greater_than_b": "value",
}
_FINENESS = {"null": 0, "length": 1, "value": 2}
# kwargs that make a verdict depend on other rows or on counts: such a suite runs row by row.
_NOT_ROW_WISE_KWARGS = {"mostly", "row_condition", "condition_parser"}


def _columns(exp: dict[str, Any]) -> list[str]:
    kw = exp["kwargs"]
    return _kwargs_columns(kw)


def _kwargs_columns(kw: Any) -> list[str]:
    return [kw["column"]] if "column" in kw else [kw["column_A"], kw["column_B"]]


def _distinct_ok(doc: dict[str, Any]) -> bool:
    for exp in doc["expectations"]:
        if exp["type"] not in _ROW_WISE or _NOT_ROW_WISE_KWARGS & set(exp["kwargs"]):
            return False
        kw = exp["kwargs"]
        if "column" not in kw and not ("column_A" in kw and "column_B" in kw):
            return False
    return True


def _codes(series: pd.Series, kind: str) -> np.ndarray:
    """Class of each row's value: rows of one class get the same verdict from the kind of
    expectation `kind` stands for. Classes are numbered from 0; nulls are one class."""
    isna = series.isna().to_numpy()
    if kind == "null":
        return isna.astype("int64")
    if kind == "length":
        lengths = np.full(len(series), -1, dtype="int64")
        if (~isna).any():
            lengths[~isna] = series[~isna].astype(str).str.len().to_numpy(dtype="int64")
        return pd.factorize(lengths)[0].astype("int64")
    values = series.to_numpy()
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in (
        "string",
        "boolean",
        "empty",
        "date",  # dates only (a datetime is never equal to a date)
    ):
        # True == 1 == 1.0 in a hash table: values of different types are told apart
        typed = np.empty(len(values), dtype=object)
        for i, (v, na) in enumerate(zip(values, isna, strict=True)):
            typed[i] = None if na else (type(v).__name__, v)
        values = typed
    codes = pd.factorize(values, use_na_sentinel=True)[0].astype("int64")
    codes[codes < 0] = codes.max(initial=-1) + 1  # None and NaN: one class, as for GX
    return codes


def _combine(codes: list[np.ndarray]) -> np.ndarray:
    out = codes[0]
    for c in codes[1:]:
        out = pd.factorize(out * (int(c.max(initial=0)) + 1) + c)[0].astype("int64")
    return pd.factorize(out)[0].astype("int64")


@dataclass
class _Distinct:
    """The run's frame reduced to one row per class of values, for every group of columns
    that some expectation reads together, and how to go back to the frame's rows."""

    frame: pd.DataFrame  # rows numbered from 0
    group_of: dict[str, int]  # column -> group
    codes: list[np.ndarray]  # group -> class of each frame row
    sizes: list[int]  # group -> number of classes

    def rows(self, columns: list[str], unexpected: list[int]) -> np.ndarray:
        g = self.group_of[columns[0]]
        classes = np.unique(np.minimum(np.asarray(unexpected, dtype="int64"), self.sizes[g] - 1))
        return np.flatnonzero(np.isin(self.codes[g], classes))


def _distinct(df: pd.DataFrame, doc: dict[str, Any]) -> _Distinct:
    kind: dict[str, str] = {}
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent[c] != c:
            c = parent[c]
        return c

    for exp in doc["expectations"]:
        cols = [c for c in _columns(exp) if c in df.columns]  # a missing one: GX says so
        k = _ROW_WISE[exp["type"]]
        for c in cols:
            parent.setdefault(c, c)
            if c not in kind or _FINENESS[k] > _FINENESS[kind[c]]:
                kind[c] = k
        for c in cols[1:]:
            parent[find(c)] = find(cols[0])
    groups: dict[str, list[str]] = {}
    for c in parent:
        groups.setdefault(find(c), []).append(c)
    group_of: dict[str, int] = {}
    codes: list[np.ndarray] = []
    sizes: list[int] = []
    firsts: list[np.ndarray] = []
    for g, cols in enumerate(groups.values()):
        cls = _combine([_codes(df[c], kind[c]) for c in cols])
        _, first = np.unique(cls, return_index=True)  # the first row of each class
        codes.append(cls)
        sizes.append(len(first))
        firsts.append(first)
        for c in cols:
            group_of[c] = g
    n = max(sizes, default=1)
    positions = np.arange(n, dtype="int64")
    data: dict[str, pd.Series] = {}
    for c, g in group_of.items():
        # a group with fewer classes repeats its last one: no new values, no new verdicts
        take = firsts[g][np.minimum(positions, sizes[g] - 1)]
        data[c] = df[c].take(take).reset_index(drop=True)
    return _Distinct(pd.DataFrame(data, index=pd.RangeIndex(n)), group_of, codes, sizes)


def validate_frames(frames: dict[str, pd.DataFrame], engine: Engine = "gx") -> list[RowFailure]:
    """All row failures of all tables; raises only if GX itself cannot run a rule.

    GX evaluates each suite, as written, on the distinct values of the frame: for the
    columns each expectation reads (together, for column pairs), one row per class of
    values that the expectation cannot tell apart (a value; for a null check, null or not;
    for a length check, the length). Every row of the frame belongs to one class per
    column group, so the rows that GX finds unexpected are mapped back to all the frame's
    rows of the same classes. A suite with an expectation whose verdict on a row could
    depend on other rows (`mostly`, aggregates) is run on the frame itself, by GX.
    """
    failures: list[RowFailure] = []
    for table, df in frames.items():
        if df.empty:
            continue
        doc = load_suite(table)
        if _distinct_ok(doc):
            failures.extend(_validate_distinct(table, df, doc, engine))
        else:
            failures.extend(_validate_rows(table, df, doc))
    return failures


Unexpected = tuple[dict[str, Any], dict[str, Any], list[int]]  # kwargs, meta, index labels


def _unexpected_gx(table: str, doc: dict[str, Any], df: pd.DataFrame) -> list[Unexpected]:
    """Per expectation, in the order GX reports them, the unexpected rows' index labels."""
    out: list[Unexpected] = []
    for r in _run_suite(table, doc, df, None):
        _raise_if_failed(r)
        ks = [] if r.success else [int(k) for k in r.result.get("unexpected_index_list") or []]
        out.append((r.expectation_config.kwargs, r.expectation_config.meta, ks))
    return out


def _unexpected_pandas(table: str, doc: dict[str, Any], df: pd.DataFrame) -> list[Unexpected]:
    """The same as `_unexpected_gx`, by `rowwise`; GX decides what `rowwise` cannot."""
    if not rowwise.supported(doc):
        return _unexpected_gx(table, doc, df)
    try:
        return [
            (exp["kwargs"], exp["meta"], rowwise.unexpected_index(exp, df))
            for exp in rowwise.in_gx_order(doc["expectations"])
        ]
    except rowwise.RuleError:
        return _unexpected_gx(table, doc, df)  # GX's own answer, or its own error


def _validate_distinct(
    table: str, df: pd.DataFrame, doc: dict[str, Any], engine: Engine = "gx"
) -> list[RowFailure]:
    """The suite on the frame's distinct values, its verdicts mapped back to the rows."""
    distinct = _distinct(df, doc)
    files = df["_file"].to_numpy()
    rows = df["_row"].to_numpy()
    failures: list[RowFailure] = []
    run = _unexpected_pandas if engine == "pandas" else _unexpected_gx
    for kwargs, meta, ks in run(table, doc, distinct.frame):
        if not ks:
            continue
        for i in distinct.rows(_kwargs_columns(kwargs), ks):
            failures.append(
                RowFailure(
                    table,
                    int(files[i]),
                    int(rows[i]),
                    meta["rule"],
                    meta["severity"],
                    meta["column"],
                    meta["message"],
                    meta["expected"],
                )
            )
    return failures


def _raise_if_failed(r: Any) -> None:
    if r.exception_info and r.exception_info.get("raised_exception"):
        raise RuntimeError(
            f"GX could not evaluate rule {r.expectation_config.meta['rule']}: "
            f"{r.exception_info.get('exception_message')}"
        )


def _run_suite(table: str, doc: dict[str, Any], df: pd.DataFrame, index: list[str] | None) -> list:
    """The suite's results, in the suite's order."""
    from great_expectations.core.expectation_suite import ExpectationSuite

    ctx = _context()
    name = f"{table}_{id(df)}"
    source = ctx.data_sources.add_or_update_pandas(name)
    batch_def = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("run")
    suite = ExpectationSuite(name=name, expectations=[dict(e) for e in doc["expectations"]])
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    result_format: dict[str, Any] = {
        "result_format": "COMPLETE",
        "return_unexpected_index_query": False,
    }
    if index:  # otherwise the unexpected rows' positions (the frame's RangeIndex)
        result_format["unexpected_index_column_names"] = index
    result = batch.validate(suite, result_format=result_format)
    ctx.data_sources.delete(name)
    return result.results


def _validate_rows(table: str, df: pd.DataFrame, doc: dict[str, Any]) -> list[RowFailure]:
    """The suite on every row of the frame."""
    failures: list[RowFailure] = []
    for r in _run_suite(table, doc, df.reset_index(drop=True), ["_file", "_row"]):
        meta = r.expectation_config.meta
        _raise_if_failed(r)
        if r.success:
            continue
        for idx in r.result.get("unexpected_index_list") or []:
            failures.append(
                RowFailure(
                    table,
                    int(idx["_file"]),
                    int(idx["_row"]),
                    meta["rule"],
                    meta["severity"],
                    meta["column"],
                    meta["message"],
                    meta["expected"],
                )
            )
    return failures
