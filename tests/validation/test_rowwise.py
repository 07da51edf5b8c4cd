"""The suites evaluated with pandas alone (`rowwise`, what `check` uses) find exactly what Great
Expectations finds: every finding of the corpus, every verdict and its JSON, and, expectation
by expectation, the unexpected rows of frames with awkward values (mixed types, NaN and None,
nullable dtypes, values that cannot be compared, a missing column).

Both sides are real runs: `engine="gx"` is GX 1.x on the suites of `expectations/`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipelines import settings as settings_mod
from pipelines.ingestion.inbox import drop_of
from pipelines.ingestion.reader import read_file
from pipelines.validation import rowwise, suites
from pipelines.validation.derived import FRAMES, TablePart
from pipelines.validation.evaluate import evaluate

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "partner_files"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    parts: dict[str, list[TablePart]] = {"interventi": [], "spese": []}
    for i, case in enumerate(c for c in EXPECTED["cases"] if c["kind"] != "reader"):
        result = read_file(CORPUS / case["file"])
        if result.readable:
            for name, table in result.tables.items():
                parts[name].append(TablePart(i, EXPECTED["period"], table))
    return {t: FRAMES[t](p) for t, p in parts.items()}


@pytest.mark.parametrize("table", ["interventi", "spese"])
def test_corpus_frames_same_findings_same_order(frames: dict, table: str) -> None:
    doc = suites.load_suite(table)
    assert rowwise.supported(doc)
    # pandas answers the suite itself, without handing anything to GX
    distinct = suites._distinct(frames[table], doc)
    for exp in doc["expectations"]:
        rowwise.unexpected_index(exp, distinct.frame)
    by_gx = suites.validate_frames({table: frames[table]}, engine="gx")
    by_pandas = suites.validate_frames({table: frames[table]}, engine="pandas")
    assert len(by_gx) > 10  # the corpus breaks many rules
    assert by_pandas == by_gx


@pytest.mark.parametrize("table", ["interventi", "spese"])
def test_results_in_gx_order(frames: dict, table: str) -> None:
    doc = suites.load_suite(table)
    df = suites._distinct(frames[table], doc).frame
    by_gx = _findings(suites._unexpected_gx, doc, df)
    by_pandas = _findings(suites._unexpected_pandas, doc, df)
    assert isinstance(by_gx, list)
    assert [m["rule"] for _, m, _ in by_pandas] == [m["rule"] for _, m, _ in by_gx]  # type: ignore[union-attr]
    assert by_pandas == by_gx


def test_corpus_verdicts_and_json_identical(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OSSERVATORIO_HOME", str(tmp_path))
    settings = settings_mod.load(tmp_path)
    drops = [
        drop_of(CORPUS / c["file"], "P01", EXPECTED["period"])
        for c in EXPECTED["cases"]
        if (CORPUS / c["file"]).is_file()
    ]
    assert len(drops) > 60
    by_gx = [v.as_json() for v in evaluate(drops, settings, engine="gx")]
    by_pandas = [v.as_json() for v in evaluate(drops, settings, engine="pandas")]
    assert sum(len(v["issues"]) for v in by_gx) > 60
    assert json.dumps(by_pandas, ensure_ascii=False) == json.dumps(by_gx, ensure_ascii=False)


def test_odd_values_same_findings(frames: dict) -> None:
    df = frames["interventi"].copy()
    n = len(df)
    rng = np.random.default_rng(11)
    odd = np.array([True, 1, 1.0, "True", np.nan, None, False, 0], dtype=object)
    df["chk__esito_value"] = pd.Series(odd[rng.integers(0, len(odd), n)], dtype="object")
    ids = np.array(["x" * 40, "y" * 41, "", None, np.nan, "A1", 12345], dtype=object)
    df["id_intervento"] = pd.Series(ids[rng.integers(0, len(ids), n)], dtype="object")
    df["componenti_int"] = rng.choice([np.nan, 0.0, 1.0, 2.0, 20.0, 21.0, -0.0], n)
    df["minori_int"] = rng.choice([np.nan, 0.0, 1.0, 3.0, -1.0], n)
    df["anno_nascita_int"] = pd.array(rng.choice([1899, 1900, 2030, 1980], n), dtype="Int64")
    by_gx = suites.validate_frames({"interventi": df}, engine="gx")
    by_pandas = suites.validate_frames({"interventi": df}, engine="pandas")
    assert {"esito_value", "id_intervento_too_long", "minori_nucleo_range"} <= {
        f.rule for f in by_gx
    }
    assert by_pandas == by_gx


def _suite(exp_type: str, **kwargs) -> dict:
    return {
        "expectations": [
            {
                "type": exp_type,
                "kwargs": kwargs,
                "meta": {"rule": "r", "severity": "error", "column": "a"},
            }
        ]
    }


COLUMNS = {
    "float": [1.0, np.nan, 5.0, -2.0, 10.0, 7.5],
    "int": [1, 2, 3, 40, 5, 6],
    "object_numbers": [1, None, 2.5, 30, True, np.nan],
    "mixed": ["a", 3, None, "bbbbbb", 2.0, False],
    "strings": ["ab", "", None, "abcdefgh", "SI", "NO"],
    "bools": [True, False, None, True, 1, 0],
    "nullable": pd.array([1, None, 3, 50, 2, None], dtype="Int64"),
}
EXPECTATIONS = [
    ("expect_column_values_to_not_be_null", {}),
    ("expect_column_values_to_be_null", {}),
    ("expect_column_values_to_be_in_set", {"value_set": [True]}),
    ("expect_column_values_to_be_in_set", {"value_set": ["SI", "NO", 1]}),
    ("expect_column_values_to_not_be_in_set", {"value_set": ["SI", 3]}),
    ("expect_column_values_to_be_between", {"min_value": 2}),
    ("expect_column_values_to_be_between", {"max_value": 6, "strict_max": True}),
    ("expect_column_values_to_be_between", {"min_value": 1, "max_value": 20}),
    ("expect_column_value_lengths_to_be_between", {"max_value": 2}),
    ("expect_column_value_lengths_to_be_between", {"min_value": 1, "max_value": 3}),
    ("expect_column_value_lengths_to_equal", {"value": 2}),
]


def _findings(run, doc: dict, df: pd.DataFrame) -> object:
    try:
        return [(suites._kwargs_columns(kw), meta, ks) for kw, meta, ks in run("t", doc, df)]
    except RuntimeError as e:  # GX could not evaluate the rule
        return type(e)


def _same(doc: dict, df: pd.DataFrame) -> None:
    assert _findings(suites._unexpected_pandas, doc, df) == _findings(
        suites._unexpected_gx, doc, df
    )


@pytest.mark.parametrize("column", sorted(COLUMNS))
@pytest.mark.parametrize("exp_type,kwargs", EXPECTATIONS)
def test_column_expectations_as_gx(column: str, exp_type: str, kwargs: dict) -> None:
    df = pd.DataFrame({"a": COLUMNS[column]})
    _same(_suite(exp_type, column="a", **kwargs), df)


@pytest.mark.parametrize(
    "a,b",
    [("float", "int"), ("int", "object_numbers"), ("strings", "mixed"), ("nullable", "float")],
)
@pytest.mark.parametrize(
    "exp_type,kwargs",
    [
        ("expect_column_pair_values_to_be_equal", {"ignore_row_if": "either_value_is_missing"}),
        ("expect_column_pair_values_to_be_equal", {}),
        (
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"or_equal": True, "ignore_row_if": "either_value_is_missing"},
        ),
        ("expect_column_pair_values_a_to_be_greater_than_b", {"ignore_row_if": "neither"}),
    ],
)
def test_pair_expectations_as_gx(a: str, b: str, exp_type: str, kwargs: dict) -> None:
    df = pd.DataFrame({"a": COLUMNS[a], "b": COLUMNS[b]})
    _same(_suite(exp_type, column_A="a", column_B="b", **kwargs), df)


def test_missing_column_is_gx_error() -> None:
    doc = _suite("expect_column_values_to_not_be_null", column="absent")
    with pytest.raises(rowwise.RuleError):
        rowwise.unexpected_index(doc["expectations"][0], pd.DataFrame({"a": [1]}))
    _same(doc, pd.DataFrame({"a": [1]}))


def test_check_does_not_import_gx(tmp_path: Path) -> None:
    """The pre-check's process never loads Great Expectations (its import costs seconds)."""
    code = (
        "import sys\n"
        "from pipelines.cli import main\n"
        "status = main(['check', sys.argv[1], '--partner', 'P01', '--period', '2026-03'])\n"
        "assert 'great_expectations' not in sys.modules, 'GX was imported'\n"
        "sys.exit(status)\n"
    )
    env = {"OSSERVATORIO_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(CORPUS / "rule_esito_value.csv")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # rejected, and GX was not imported
    assert "Esito" in done.stdout


def test_engine_setting(tmp_path: Path, monkeypatch) -> None:
    unchosen = settings_mod.load(tmp_path)
    assert (unchosen.recording_engine, unchosen.precheck_engine) == ("pandas", "pandas")
    monkeypatch.setenv("OSSERVATORIO_SUITES_ENGINE", "GX")
    chosen = settings_mod.load(tmp_path)
    assert (chosen.recording_engine, chosen.precheck_engine) == ("gx", "gx")
    monkeypatch.setenv("OSSERVATORIO_SUITES_ENGINE", "pandas")
    chosen = settings_mod.load(tmp_path)
    assert (chosen.recording_engine, chosen.precheck_engine) == ("pandas", "pandas")
    monkeypatch.setenv("OSSERVATORIO_SUITES_ENGINE", "spark")
    with pytest.raises(settings_mod.SettingsError, match="pandas or gx"):
        settings_mod.load(tmp_path)
