"""The main job end to end: a generated inbox picked up by the sensor, ingested, built by dbt
through Dagster, and the indicators equal to the generator's ground truth computed here in
plain pandas, independently of the SQL."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipelines.synthetic.generator import GeneratorConfig, generate
from tests import truth

CONFIG = GeneratorConfig(
    seed=11,
    partners=6,
    start_period="2026-01",
    months=4,
    rows_per_file=40,
    error_rate=0.15,
    warning_rate=0.15,
    late_rate=0.2,
    missing_rate=0.08,
    correction_rate=0.15,
    unreadable_rate=0.03,
)


@pytest.fixture(scope="module")
def run(module_home: Path):
    manifest = generate(
        module_home / "inbox",
        CONFIG,
        manifest_path=module_home / "truth" / "synthetic_manifest.json",
    )
    from pipelines.definitions import defs

    d = defs()
    sensor = d.resolve_sensor_def("inbox_sensor")
    first = sensor.evaluate_tick(dg.build_sensor_context(cursor=None, definitions=d))
    instance = dg.DagsterInstance.ephemeral()
    # Great Expectations itself records the files here (the default is rowwise, which
    # tests/validation/test_rowwise.py holds to GX): the ground truth checks GX's path too.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OSSERVATORIO_SUITES_ENGINE", "gx")
        result = d.resolve_job_def("ingest_and_build").execute_in_process(instance=instance)
    return {
        "manifest": manifest,
        "defs": d,
        "sensor": sensor,
        "first_tick": first,
        "result": result,
        "truth": module_home / "truth",
    }


def q(home: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_sensor_requests_one_run_for_all_new_files_and_keys_by_content(
    module_home: Path, run
) -> None:
    first = run["first_tick"]
    assert len(first.run_requests) == 1  # one run for every new file, not one per file
    n_files = sum(1 for p in (module_home / "inbox").rglob("*") if p.is_file())
    assert first.run_requests[0].tags["new_files"] == str(n_files)
    again = run["sensor"].evaluate_tick(
        dg.build_sensor_context(cursor=first.cursor, definitions=run["defs"])
    )
    assert not again.run_requests  # the same bytes never trigger again
    # A correction (new content for a partner-month) triggers a new run with a new key.
    some = next(p for p in (module_home / "inbox").rglob("*.csv"))
    extra = some.with_name("correzione_" + some.name)
    extra.write_bytes(some.read_bytes() + b"\n")
    try:
        third = run["sensor"].evaluate_tick(
            dg.build_sensor_context(cursor=first.cursor, definitions=run["defs"])
        )
        assert len(third.run_requests) == 1
        assert third.run_requests[0].run_key != first.run_requests[0].run_key
    finally:
        extra.unlink()


def test_job_materialises_raw_tables_and_marts(run) -> None:
    result = run["result"]
    assert result.success
    keys = {
        m.asset_key.to_user_string()
        for m in result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    }
    assert {
        "raw/interventi",
        "raw/submissions",
        "marts/fct_interventions",
        "marts/indicator_values",
        "marts/indicator_breakdowns",
    } <= keys


def test_publication_passes_its_blocking_disclosure_check(run) -> None:
    """The published copy is an asset whose blocking check is the disclosure audit."""
    result = run["result"]
    evaluations = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.check_name == "no_suppressed_cell_recoverable"
    ]
    assert len(evaluations) == 1 and evaluations[0].passed
    meta = evaluations[0].metadata
    assert meta["primary_suppressed"].value > meta["secondary_suppressed"].value > 0
    keys = {
        m.asset_key.to_user_string()
        for m in result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    }
    assert "published/warehouse" in keys


def test_ledger_statuses_and_issues_match_the_generator(module_home: Path, run) -> None:
    got = q(module_home, "select partner_code, period, file_name, status from marts.submissions")
    got_map = {(r.partner_code, r.period, r.file_name): r.status for r in got.itertuples()}
    issues = q(
        module_home,
        "select s.partner_code, s.period, s.file_name, i.rule, i.row_number, "
        "i.column_header from raw.submission_issues i "
        "join raw.submissions s using (submission_id)",
    )
    found: dict[tuple, set] = {}
    for r in issues.itertuples():
        found.setdefault((r.partner_code, r.period, r.file_name), set()).add(
            (
                r.rule,
                None if pd.isna(r.row_number) else int(r.row_number),
                None if pd.isna(r.column_header) else r.column_header,
            )
        )
    checked = 0
    for f in run["manifest"]["files"]:
        key = (f["partner"], f["period"], Path(f["path"]).name)
        assert got_map.get(key) == f["expected_status"], (key, f["issues"])
        want = {(i["rule"], i["row"], i["column"]) for i in f["issues"]}
        assert found.get(key, set()) == want, key
        checked += bool(want)
    assert checked >= 10


# --- the indicators, recomputed from the ground truth ----------------------------------


def test_indicator_values_equal_the_ground_truth(module_home: Path, run) -> None:
    iv, ex, consortium = truth.load(run["truth"])
    got = q(
        module_home,
        'select indicator_code, period, "window", scope, scope_code, value '
        "from marts.indicator_values",
    )
    table = {
        (
            r.indicator_code,
            r.period,
            r.window,
            r.scope,
            None if pd.isna(r.scope_code) else r.scope_code,
        ): r.value
        for r in got.itertuples()
    }
    periods = sorted(q(module_home, "select period from marts.dim_period").period)
    assert periods[0] == "2026-01" and len(periods) >= CONFIG.months
    compared = 0
    for code in truth.CHECKED:
        for scope, scode in truth.scopes(consortium):
            if code == "PERSONS_MULTI_PARTNER" and scope == "partner":
                continue
            s_iv, s_ex = truth.in_scope(iv, scope, scode), truth.in_scope(ex, scope, scode)
            for p in periods:
                for window, sel in truth.WINDOWS.items():
                    want = truth.expected(sel(s_iv, p), sel(s_ex, p), code)
                    have = table[(code, p, window, scope, scode)]
                    if want is None:
                        assert pd.isna(have), (code, p, window, scope, scode)
                    else:
                        assert have == pytest.approx(want, abs=0.006), (
                            code,
                            p,
                            window,
                            scope,
                            scode,
                        )
                    compared += 1
    assert compared > 1000


def test_calendar_statuses_match_the_generator(module_home: Path, run) -> None:
    got = q(module_home, "select partner_code, period, status from marts.submission_calendar")
    status = {(r.partner_code, r.period): r.status for r in got.itertuples()}
    for pm in run["manifest"]["partner_months"]:
        assert status[(pm["partner"], pm["period"])] == pm["expected_calendar_status"], pm


def test_manifest_is_outside_the_inbox(module_home: Path, run) -> None:
    assert not list((module_home / "inbox").rglob("*.json"))
    assert json.loads((run["truth"] / "synthetic_manifest.json").read_text())["files"]
