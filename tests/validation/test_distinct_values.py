"""The suites run on a frame's distinct values find exactly the rows a run on every row finds.

Both sides are real Great Expectations runs of `expectations/*.json`: `_validate_rows` is the
suite on every row of the frame, `validate_frames` the suite on one row per class of values,
mapped back. The frames are the corpus's files (every rule has a file there) and the same
frames with values that hash alike but are not alike (True, 1 and 1.0; None and NaN), long
and short ids, and rows repeated across files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipelines.ingestion.reader import read_file
from pipelines.validation import suites
from pipelines.validation.derived import FRAMES, TablePart

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "partner_files"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    parts: dict[str, list[TablePart]] = {"interventi": [], "spese": []}
    for i, case in enumerate(c for c in EXPECTED["cases"] if c["kind"] != "reader"):
        result = read_file(CORPUS / case["file"])
        if result.readable:
            for name, table in result.tables.items():
                parts[name].append(TablePart(i, EXPECTED["period"], table))
    return {t: FRAMES[t](p) for t, p in parts.items()}


def _both(table: str, df: pd.DataFrame) -> tuple[list, list]:
    doc = suites.load_suite(table)
    assert suites._distinct_ok(doc)  # the suites as written take the distinct-values path
    every_row = suites._validate_rows(table, df, doc)
    distinct = suites.validate_frames({table: df})
    return every_row, distinct


@pytest.mark.parametrize("table", ["interventi", "spese"])
def test_corpus_frames_same_failures_same_order(frames: dict, table: str) -> None:
    every_row, distinct = _both(table, frames[table])
    assert len(every_row) > 10  # the corpus breaks many rules
    assert distinct == every_row


def test_values_that_hash_alike_are_not_merged(frames: dict) -> None:
    df = frames["interventi"].copy()
    n = len(df)
    rng = np.random.default_rng(7)
    # a chk__ column expecting True: 1, 1.0, "True", NaN and None are not all True to GX
    odd = np.array([True, 1, 1.0, "True", np.nan, None, False, 0], dtype=object)
    df["chk__esito_value"] = pd.Series(odd[rng.integers(0, len(odd), n)], dtype="object")
    # lengths around the 40-character limit, blanks and NaN
    ids = np.array(["x" * 40, "y" * 41, "", None, np.nan, "A1", "a1"], dtype=object)
    df["id_intervento"] = pd.Series(ids[rng.integers(0, len(ids), n)], dtype="object")
    # numbers on both sides of the bounds, in pairs too
    df["componenti_int"] = rng.choice([np.nan, 0.0, 1.0, 2.0, 20.0, 21.0, -0.0], n)
    df["minori_int"] = rng.choice([np.nan, 0.0, 1.0, 3.0, -1.0], n)
    every_row, distinct = _both("interventi", df)
    rules = {f.rule for f in every_row}
    assert {
        "esito_value",
        "id_intervento_too_long",
        "componenti_nucleo_range",
        "minori_nucleo_range",
    } <= rules
    assert distinct == every_row


def test_suite_with_mostly_runs_on_every_row() -> None:
    doc = {
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "x", "mostly": 0.5},
                "meta": {},
            }
        ]
    }
    assert not suites._distinct_ok(doc)
    doc["expectations"][0]["kwargs"].pop("mostly")
    assert suites._distinct_ok(doc)
    doc["expectations"].append(
        {
            "type": "expect_column_mean_to_be_between",
            "kwargs": {"column": "x", "min_value": 0},
            "meta": {},
        }
    )
    assert not suites._distinct_ok(doc)
