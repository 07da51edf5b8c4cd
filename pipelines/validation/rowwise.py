"""The suites' row-wise expectations evaluated with pandas alone, as Great Expectations'
pandas engine evaluates them, for a pre-check that does not pay GX's import (seconds).

Each function below repeats, operation for operation, the pandas code of the GX 1.x metric
it stands for (the domain GX filters to, then the condition, then the rows where it does not
hold), so that a verdict cannot depend on which of the two ran it; the tests run the corpus
through both and compare every finding. A suite with any other kind of expectation is left
to GX (`supported`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

Condition = Callable[[pd.Series, dict[str, Any]], pd.Series]


class RuleError(RuntimeError):
    """An expectation that cannot be evaluated on the frame (GX's `exception_info`)."""


def _in_set(column: pd.Series, kw: dict[str, Any]) -> pd.Series:
    if kw.get("value_set") is None:
        return pd.Series(np.ones(len(column), dtype=np.bool_), index=column.index)
    return column.isin(kw["value_set"])


def _not_in_set(column: pd.Series, kw: dict[str, Any]) -> pd.Series:
    if kw.get("value_set") is None:
        return pd.Series(np.ones(len(column), dtype=np.bool_), index=column.index)
    return ~column.isin(kw["value_set"])


def _vectorized_between(column: pd.Series, lo: Any, hi: Any, smin: Any, smax: Any) -> pd.Series:
    if lo is None:
        return column < hi if smax else column <= hi
    if hi is None:
        return lo < column if smin else lo <= column
    left = lo < column if smin else lo <= column
    right = column < hi if smax else column <= hi
    return left & right


def _between_value(val: Any, lo: Any, hi: Any, smin: Any, smax: Any) -> bool:
    for bound in (lo, hi):
        if bound is not None and isinstance(val, str) != isinstance(bound, str):
            raise RuleError(
                "Column values, min_value, and max_value must either be None or of the same type."
            )
    above = lo is None or (val > lo if smin else val >= lo)
    below = hi is None or (val < hi if smax else val <= hi)
    return bool(above and below)


def _between(column: pd.Series, kw: dict[str, Any]) -> pd.Series:
    lo, hi = kw.get("min_value"), kw.get("max_value")
    smin, smax = kw.get("strict_min"), kw.get("strict_max")
    if lo is None and hi is None:
        raise RuleError("min_value and max_value cannot both be None")
    if lo is not None and hi is not None and lo > hi:
        raise RuleError("min_value cannot be greater than max_value")
    if column.dtype in [int, float]:
        return _vectorized_between(column, lo, hi, smin, smax)
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_ns_dtype(
        column.dtype
    ):
        raise RuleError("dates are left to Great Expectations")  # it parses string bounds
    return column.map(lambda v: _between_value(v, lo, hi, smin, smax))


def _lengths_between(column: pd.Series, kw: dict[str, Any]) -> pd.Series:
    lengths = column.astype(str).str.len()
    lo, hi = kw.get("min_value"), kw.get("max_value")
    smin, smax = kw.get("strict_min"), kw.get("strict_max")
    if lo is not None and hi is not None:
        inclusive = {
            (True, True): "neither",
            (True, False): "right",
            (False, True): "left",
            (False, False): "both",
        }[(bool(smin), bool(smax))]
        return lengths.between(lo, hi, inclusive=inclusive)  # type: ignore[arg-type]
    if hi is not None:
        return lengths < hi if smax else lengths <= hi
    if lo is not None:
        return lengths > lo if smin else lengths >= lo
    raise RuleError("Invalid configuration")


def _lengths_equal(column: pd.Series, kw: dict[str, Any]) -> pd.Series:
    return column.astype(str).str.len() == kw["value"]


# column expectations evaluated on the column's non-null values
_ON_VALUES: dict[str, Condition] = {
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_not_be_in_set": _not_in_set,
    "expect_column_values_to_be_between": _between,
    "expect_column_value_lengths_to_be_between": _lengths_between,
    "expect_column_value_lengths_to_equal": _lengths_equal,
}
_ON_NULLS = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_null"}
_ON_PAIRS = {
    "expect_column_pair_values_to_be_equal",
    "expect_column_pair_values_a_to_be_greater_than_b",
}
_PAIR_DROP = {"both_values_are_missing": "all", "either_value_is_missing": "any"}


def supported(doc: dict[str, Any]) -> bool:
    """Whether every expectation of the suite is one this module evaluates."""
    return all(
        exp["type"] in _ON_VALUES or exp["type"] in _ON_NULLS or exp["type"] in _ON_PAIRS
        for exp in doc["expectations"]
    )


def in_gx_order(expectations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The expectations in the order GX reports them: grouped by their `column` in order of
    first appearance, the column pairs together where the first of them stands."""
    columns: dict[object, list[dict[str, Any]]] = {}
    for exp in expectations:
        column = exp["kwargs"].get("column")
        columns.setdefault(column if isinstance(column, str) else None, []).append(exp)
    return [exp for group in columns.values() for exp in group]


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        raise RuleError(f'The column "{name}" in BatchData does not exist.')
    return df[name]


def _unexpected_pair(exp: dict[str, Any], df: pd.DataFrame) -> pd.Index:
    kw = exp["kwargs"]
    a, b = kw["column_A"], kw["column_B"]
    _column(df, a), _column(df, b)
    ignore = kw.get("ignore_row_if", "both_values_are_missing")
    domain = df if ignore == "neither" else df.dropna(axis=0, how=_PAIR_DROP[ignore], subset=[a, b])  # type: ignore[call-overload]
    if exp["type"] == "expect_column_pair_values_to_be_equal":
        meets = domain[a] == domain[b]
    else:
        meets = domain[a] >= domain[b] if kw.get("or_equal") else domain[a] > domain[b]
    return domain[~_boolean(meets)].index


def unexpected_index(exp: dict[str, Any], df: pd.DataFrame) -> list[int]:
    """The index labels of the frame's rows that the expectation finds unexpected, in the
    frame's order (GX's `unexpected_index_list` for a frame with an unnamed index).

    Raises `RuleError` wherever GX would not simply answer (values it cannot compare, a
    missing column, a condition that is not a boolean per row): the caller lets GX decide.
    """
    try:
        return _unexpected_index(exp, df)
    except (TypeError, ValueError, KeyError) as e:
        raise RuleError(str(e)) from e


def _boolean(meets: pd.Series) -> pd.Series:
    if meets.dtype != np.bool_:
        raise RuleError(f"the condition is of type {meets.dtype}, not boolean")
    return meets


def _unexpected_index(exp: dict[str, Any], df: pd.DataFrame) -> list[int]:
    kind = exp["type"]
    kw = exp["kwargs"]
    if kind in _ON_PAIRS:
        return [int(i) for i in _unexpected_pair(exp, df)]
    column = _column(df, kw["column"])
    if kind == "expect_column_values_to_not_be_null":
        return [int(i) for i in column[column.isnull()].index]
    if kind == "expect_column_values_to_be_null":
        return [int(i) for i in column[~column.isnull()].index]
    domain = column[column.notnull()]
    meets = _boolean(_ON_VALUES[kind](domain, kw))
    return [int(i) for i in domain[~meets].index]
