"""`osservatorio check FILE --format json`, as a partner's script calls it (interfaces.md).

The command runs as a subprocess, the way it is used. Three real validations (accepted,
accepted with warnings, rejected) cost seconds each, so they start together, plus two bad
usages that return before anything heavy is imported. The same runs show that `check`
writes nothing: not in OSSERVATORIO_HOME, not in the working folder, not beside the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipelines.issues import FILE_RULES

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "partner_files"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
CASES = {c["file"]: c for c in EXPECTED["cases"]}
PARTNER, PERIOD = EXPECTED["partner"], EXPECTED["period"]
CLI = Path(sys.executable).with_name("osservatorio")
TEST_KEY = "test-key-not-for-production-0123456789"  # as in tests/conftest.py

RUNS = {  # name -> (file, period)
    "accepted": ("clean_interventi_spese.xls", PERIOD),
    "warnings": ("rule_sheet_fallback.xls", PERIOD),
    "rejected": ("rule_sesso_value.ods", PERIOD),
    "missing_file": ("does_not_exist.xlsx", PERIOD),
    "bad_period": ("clean_interventi_spese.xls", "2026-3"),
}
VALIDATIONS = ("accepted", "warnings", "rejected")
TOP_KEYS = {"partner", "period", "file", "sha256", "status", "rows", "tables", "issues"}
ISSUE_KEYS = {"severity", "sheet", "row", "column", "rule", "value", "message"}
# File-level rules whose issue is about no cell (interfaces.md: row and column null).
WHOLE_FILE = {
    r
    for r in FILE_RULES
    if r
    not in (
        "column_duplicate",
        "column_unknown",
        "column_identifier_dropped",
        "formula_without_value",
    )
}


def _listing(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below `folders`: size and modification time."""
    out = {}
    for folder in folders:
        for p in [folder, *folder.rglob("*")]:
            st = p.stat()
            out[str(p)] = (st.st_size if p.is_file() else -1, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("workspace")
    cwd = tmp_path_factory.mktemp("cwd")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSERVATORIO_")}
    env.update(OSSERVATORIO_HOME=str(home), GX_ANALYTICS_ENABLED="false")
    env["OSSERVATORIO_SECRET_KEY"] = TEST_KEY
    env.pop("DAGSTER_HOME", None)
    before = _listing(home, cwd, CORPUS)
    procs = {
        name: subprocess.Popen(
            [
                str(CLI),
                "check",
                str(CORPUS / file),
                "--partner",
                PARTNER,
                "--period",
                period,
                "--format",
                "json",
            ],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (file, period) in RUNS.items()
    }
    out = {}
    for name, p in procs.items():
        stdout, stderr = p.communicate(timeout=300)
        out[name] = {"rc": p.returncode, "stdout": stdout, "stderr": stderr}
    return {
        "runs": out,
        "before": before,
        "after": _listing(home, cwd, CORPUS),
        "home": home,
        "cwd": cwd,
    }


def _json(run: dict[str, Any]) -> dict[str, Any]:
    assert run["stdout"].strip(), run["stderr"][-2000:]
    return json.loads(run["stdout"])


@pytest.mark.parametrize("name", VALIDATIONS)
def test_json_has_exactly_the_documented_shape(runs: dict, name: str) -> None:
    doc = _json(runs["runs"][name])
    file = RUNS[name][0]
    assert set(doc) == TOP_KEYS
    assert (doc["partner"], doc["period"], doc["file"]) == (PARTNER, PERIOD, file)
    assert isinstance(doc["sha256"], str) and re.fullmatch(r"[0-9a-f]{64}", doc["sha256"])
    assert doc["sha256"] == hashlib.sha256((CORPUS / file).read_bytes()).hexdigest()
    assert doc["status"] in ("accepted", "accepted_with_warnings", "rejected")
    assert set(doc["rows"]) == {"read", "accepted"}
    for k in ("read", "accepted"):
        assert type(doc["rows"][k]) is int and doc["rows"][k] >= 0
    assert set(doc["tables"]) <= {"interventi", "spese"}
    for counts in doc["tables"].values():
        assert set(counts) == {"read", "accepted"}
        assert all(type(n) is int and n >= 0 for n in counts.values())
    if "interventi" in doc["tables"]:  # `rows` is the interventi table's count
        assert doc["rows"] == doc["tables"]["interventi"]
    assert isinstance(doc["issues"], list)
    for issue in doc["issues"]:
        assert set(issue) == ISSUE_KEYS
        assert issue["severity"] in ("error", "warning")
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", issue["rule"])
        assert isinstance(issue["message"], str) and issue["message"].strip()
        for k in ("sheet", "column", "value"):
            assert issue[k] is None or isinstance(issue[k], str)
        if issue["rule"] in WHOLE_FILE:
            assert issue["row"] is None and issue["column"] is None, issue
        else:
            assert type(issue["row"]) is int and issue["row"] >= 1, issue
            assert isinstance(issue["column"], str), issue


@pytest.mark.parametrize("name", VALIDATIONS)
def test_json_says_what_the_corpus_expects(runs: dict, name: str) -> None:
    doc = _json(runs["runs"][name])
    case = CASES[RUNS[name][0]]
    assert doc["status"] == case["status"]
    got = sorted((i["rule"], i["severity"], i["row"], i["column"]) for i in doc["issues"])
    want = sorted((i["rule"], i["severity"], i["row"], i["column"]) for i in case["issues"])
    assert got == want

    def counts(n: int) -> dict[str, int]:
        return {"read": n, "accepted": 0 if case["status"] == "rejected" else n}

    assert doc["rows"] == counts(len(case["rows"].get("interventi", [])))
    assert doc["tables"] == {t: counts(len(r)) for t, r in case["rows"].items()}


def test_exit_status(runs: dict) -> None:
    r = runs["runs"]
    assert (_json(r["accepted"])["status"], r["accepted"]["rc"]) == ("accepted", 0)
    assert (_json(r["warnings"])["status"], r["warnings"]["rc"]) == ("accepted_with_warnings", 0)
    assert (_json(r["rejected"])["status"], r["rejected"]["rc"]) == ("rejected", 1)
    for name in ("missing_file", "bad_period"):
        assert r[name]["rc"] == 2, r[name]
        assert r[name]["stdout"] == ""  # no JSON a script could mistake for a verdict
        assert r[name]["stderr"].strip()
        assert "Traceback" not in r[name]["stderr"]


def test_rejected_file_issue_names_the_cell(runs: dict) -> None:
    (issue,) = _json(runs["runs"]["rejected"])["issues"]
    (want,) = CASES[RUNS["rejected"][0]]["issues"]
    assert (
        (issue["sheet"], issue["row"], issue["column"])
        == (want["sheet"], want["row"], want["column"])
        == ("interventi", want["row"], "Sesso")
    )
    assert issue["value"] == "X" and "'X'" in issue["message"]


def test_check_writes_nothing(runs: dict) -> None:
    assert runs["after"] == runs["before"]
    assert list(runs["home"].iterdir()) == [] and list(runs["cwd"].iterdir()) == []
