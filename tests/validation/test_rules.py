"""Every rule, one real file each: the verdict, rule, severity, row and column a partner sees.

The corpus is `tests/fixtures/partner_files/` (made by `tests/fixtures/make_partner_files.py`;
what each file must get back is in its `expected.json`, written with the files, never
computed by the code under test). The whole corpus, plus what is made at test time (a zip
bomb, folders of an unknown partner or a bad month), is dropped into a temporary inbox and
evaluated once, through `scan` and one `evaluate()` call: Great Expectations costs seconds to
import, a run of it costs little more for 90 files than for one.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipelines import reference
from pipelines import settings as settings_mod
from pipelines.ingestion.inbox import drop_of, scan
from pipelines.issues import FILE_RULES
from pipelines.validation.evaluate import FileVerdict, evaluate
from tests.helpers import write_zip_bomb

TESTS = Path(__file__).resolve().parents[1]
CORPUS = TESTS / "fixtures" / "partner_files"
EXPECTATIONS = TESTS.parent / "expectations"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
PARTNER, PERIOD = EXPECTED["partner"], EXPECTED["period"]
# "reader" cases are layouts for read_file alone (tests/ingestion/test_reader.py).
CASES = [c for c in EXPECTED["cases"] if c["kind"] != "reader"]
CLEAN = "clean_interventi_spese.xlsx"

# Made at test time: (partner folder, period folder, file) -> the one file-level rule expected.
GENERATED = {
    (PARTNER, PERIOD, "zip_bomb.xlsx"): "file_zip_bomb",
    ("P99", PERIOD, CLEAN): "unknown_partner",
    (PARTNER, "2026-13", CLEAN): "invalid_period_folder",
    (PARTNER, "marzo", CLEAN): "invalid_period_folder",
    (PARTNER, "2019-01", CLEAN): "period_outside_partnership",
}
TOO_LARGE = "file_too_large"  # test_file_over_the_size_limit
# FILE_RULES no file can trigger today, and why (checked in test_every_rule_has_a_case).
UNTRIGGERABLE = {"partner_not_active": "no partner in seeds/partners.csv has active_from/to"}

TRACE_MARKERS = ("Traceback", 'File "', "Error:", "Exception", "raise ", "NoneType")
CF_16 = re.compile(
    r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]", re.IGNORECASE
)


def _environment(mp: pytest.MonkeyPatch, home: Path) -> None:
    """What tests/conftest.py's `home` fixture sets, for a module-scoped run."""
    mp.setenv("OSSERVATORIO_HOME", str(home))
    mp.setenv("OSSERVATORIO_SECRET_KEY", "test-key-not-for-production-0123456789")
    for name in (
        "OSSERVATORIO_SECRET_KEY_FILE",
        "OSSERVATORIO_START",
        "OSSERVATORIO_END",
        "OSSERVATORIO_MAX_FILE_MB",
        "DAGSTER_HOME",
    ):
        mp.delenv(name, raising=False)


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], FileVerdict]:
    home = tmp_path_factory.mktemp("workspace")
    inbox = home / "inbox"
    month = inbox / PARTNER / PERIOD
    month.mkdir(parents=True)
    for case in CASES:
        shutil.copy2(CORPUS / case["file"], month / case["file"])
    for partner, period, name in GENERATED:
        folder = inbox / partner / period
        folder.mkdir(parents=True, exist_ok=True)
        if name == "zip_bomb.xlsx":
            write_zip_bomb(folder / name)
        else:
            shutil.copy2(CORPUS / name, folder / name)
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, home)
        result = evaluate(scan(inbox), settings_mod.load(home))
    return {(v.drop.partner, v.drop.period, v.drop.name): v for v in result}


def _issues(v: FileVerdict) -> list[tuple[Any, ...]]:
    return sorted(((i.rule, i.severity, i.row, i.column) for i in v.issues), key=repr)


def _expected_issues(case: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        ((i["rule"], i["severity"], i["row"], i["column"]) for i in case["issues"]), key=repr
    )


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_file_gets_the_expected_verdict(verdicts: dict, case: dict[str, Any]) -> None:
    v = verdicts[(PARTNER, PERIOD, case["file"])]
    assert _issues(v) == _expected_issues(case)
    assert v.status == case["status"]
    for want in case["issues"]:
        if want["row"] is not None:  # a cell: the sheet as the partner named it
            got = next(
                i
                for i in v.issues
                if (i.rule, i.row, i.column) == (want["rule"], want["row"], want["column"])
            )
            assert got.sheet == want["sheet"]
    if case["rows"] is not None:
        assert {t: table.rows for t, table in v.tables.items()} == case["rows"]
        assert v.rows_read == len(case["rows"].get("interventi", []))  # interventions only
        assert v.rows_accepted == (0 if case["status"] == "rejected" else v.rows_read)


@pytest.mark.parametrize("key", list(GENERATED), ids=["/".join(k) for k in GENERATED])
def test_folder_and_zip_bomb_cases(verdicts: dict, key: tuple[str, str, str]) -> None:
    v = verdicts[key]
    assert v.status == "rejected"
    assert _issues(v) == [(GENERATED[key], "error", None, None)]
    assert v.tables == {} and v.rows_read == 0  # nothing of the file was read


def test_file_over_the_size_limit(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSSERVATORIO_MAX_FILE_MB", "0.01")  # 10 KB
    settings = settings_mod.load(home)
    big = CORPUS / "clean_interventi_spese.ods"
    small = CORPUS / "clean_interventi_it.csv"
    assert big.stat().st_size > 0.01 * 1024**2 > small.stat().st_size
    over, under = evaluate(
        [drop_of(big, PARTNER, PERIOD), drop_of(small, PARTNER, PERIOD)], settings
    )
    assert _issues(over) == [(TOO_LARGE, "error", None, None)]
    assert over.status == "rejected"
    assert under.status == "accepted"  # the limit is a limit, not a refusal of everything


def test_messages_are_italian_text_never_a_trace(verdicts: dict) -> None:
    seen = 0
    for key, v in verdicts.items():
        for i in v.issues:
            seen += 1
            where = f"{'/'.join(key)} {i.rule}"
            assert isinstance(i.message, str) and i.message.strip(), where
            assert not any(m in i.message for m in TRACE_MARKERS), (where, i.message)
            assert not re.search(r"\{[a-z_]*\}|\bNone\b|\bnan\b", i.message), (where, i.message)
            # the message is the contract's Italian text, not an English default
            assert not re.search(r"\b(the|must|invalid|error|expected)\b", i.message, re.I), (
                where,
                i.message,
            )
            # a codice fiscale is never echoed whole, neither in the message nor the value
            assert not CF_16.search(i.message), (where, i.message)
            assert not (i.value and CF_16.search(i.value)), (where, i.value)
    assert seen > len(CASES)  # the loop looked at something


def _suite_rules() -> dict[str, Counter[str]]:
    """Rule id -> number of expectations, per table, from expectations/*.json."""
    out: dict[str, Counter[str]] = {}
    for table in ("interventi", "spese"):
        doc = json.loads((EXPECTATIONS / f"{table}.json").read_text(encoding="utf-8"))
        out[table] = Counter(e["meta"]["rule"] for e in doc["expectations"])
    return out


def test_every_rule_has_a_case() -> None:
    suites = _suite_rules()
    assert sum(len(c) for c in suites.values()) > 40  # the suites were read
    for table, rules in suites.items():
        for rule, n_expectations in rules.items():
            files = {
                c["file"]
                for c in CASES
                for i in c["issues"]
                if i["rule"] == rule and i["sheet"] == table and i["row"] is not None
            }
            # each expectation of a rule (e.g. year < 1900 and year > period) has its file
            assert len(files) >= n_expectations, f"{table}.{rule}: {sorted(files)}"
    covered = {i["rule"] for c in CASES for i in c["issues"]}
    covered |= set(GENERATED.values()) | {TOO_LARGE}
    missing = set(FILE_RULES) - covered - set(UNTRIGGERABLE)
    assert not missing, f"file-level rules without a case: {sorted(missing)}"
    assert set(UNTRIGGERABLE) <= set(FILE_RULES)


def test_untriggerable_rules_really_are() -> None:
    """partner_not_active needs a partner with activity dates: when one appears, add a case."""
    dated = [p.code for p in reference.partners().values() if p.active_from or p.active_to]
    assert dated == [], f"{dated} have activity dates: add a partner_not_active case"
