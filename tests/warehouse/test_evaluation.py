"""The evaluation tables end to end over several years: a generated partnership that starts
in June 2025 and runs into late 2026, ingested and built, against the generator's ground
truth recomputed here in plain pandas: the `year` window of the indicators (January again
each year, the partnership's start in its first year) and the targets' progress."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import settings as settings_mod
from pipelines.ingest import ingest
from pipelines.synthetic.generator import GeneratorConfig, generate
from pipelines.warehouse.build import build_warehouse
from tests import truth

START = "2025-06"
CONFIG = GeneratorConfig(
    seed=23,
    partners=4,
    start_period=START,
    months=18,
    rows_per_file=15,
    error_rate=0.0,
    warning_rate=0.1,
    late_rate=0.1,
    missing_rate=0.05,
    correction_rate=0.1,
    unreadable_rate=0.0,
)
AS_OF = dt.date(2026, 12, 20)  # every month of the scenario is due


@pytest.fixture(scope="module")
def built(module_home: Path, tmp_path_factory: pytest.TempPathFactory):
    source = tmp_path_factory.mktemp("generated")
    generate(source / "inbox", CONFIG, manifest_path=source / "truth" / "synthetic_manifest.json")
    shutil.copytree(source / "inbox", module_home / "inbox", dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OSSERVATORIO_START", START)
        settings = settings_mod.load(module_home)
        ingest(settings)
        build_warehouse(settings, as_of=AS_OF)
    return module_home, source / "truth"


def q(home: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _code(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def test_the_year_window_equals_the_ground_truth(built) -> None:
    home, truth_dir = built
    iv, ex, consortium = truth.load(truth_dir)
    got = q(
        home,
        "select indicator_code, period, scope, scope_code, value from marts.indicator_values "
        "where \"window\" = 'year'",
    )
    table = {
        (r.indicator_code, r.period, r.scope, _code(r.scope_code)): r.value
        for r in got.itertuples()
    }
    periods = sorted({p for (_, p, _, _) in table})
    assert periods[0] == START and periods[-1] == "2026-11"
    assert {p[:4] for p in periods} == {"2025", "2026"}
    compared = across_january = 0
    for code in truth.CHECKED:
        for scope, scode in truth.scopes(consortium):
            if code == "PERSONS_MULTI_PARTNER" and scope == "partner":
                continue
            s_iv, s_ex = truth.in_scope(iv, scope, scode), truth.in_scope(ex, scope, scode)
            for p in periods:
                sel = truth.WINDOWS["year"]
                want = truth.expected(sel(s_iv, p), sel(s_ex, p), code)
                have = table[(code, p, scope, scode)]
                if want is None:
                    assert pd.isna(have), (code, p, scope, scode)
                else:
                    assert have == pytest.approx(want, abs=0.006), (code, p, scope, scode)
                    cumulative = truth.expected(
                        truth.WINDOWS["cumulative"](s_iv, p),
                        truth.WINDOWS["cumulative"](s_ex, p),
                        code,
                    )
                    across_january += p >= "2026-01" and cumulative != want
                compared += 1
    assert compared > 1000
    assert across_january > 100, "the scenario must tell the year window from the cumulative one"


def test_target_progress_equals_the_ground_truth(built) -> None:
    home, truth_dir = built
    iv, ex, _ = truth.load(truth_dir)
    targets = pd.read_csv(
        truth.SEEDS / "targets.csv", dtype={"scope_code": str}, keep_default_na=False
    )
    got = q(
        home,
        "select indicator_code, scope, scope_code, year, period, target, actual, progress, "
        "expected, status from marts.indicator_targets",
    )
    rows = {
        (r.indicator_code, r.scope, _code(r.scope_code) or "", r.period): r
        for r in got.itertuples()
    }
    due = [f"2026-{m:02d}" for m in range(1, 12)]
    # every target of 2026 at every due month of 2026, none of a year without due months
    mine = targets[targets.year == 2026]
    assert len(rows) == len(mine) * len(due)
    statuses = set()
    for t in mine.itertuples():
        s_iv = truth.in_scope(iv, t.scope, t.scope_code or None)
        s_ex = truth.in_scope(ex, t.scope, t.scope_code or None)
        for month, p in enumerate(due, start=1):
            actual = truth.expected(
                truth.WINDOWS["year"](s_iv, p), truth.WINDOWS["year"](s_ex, p), t.indicator_code
            )
            r = rows[(t.indicator_code, t.scope, t.scope_code, p)]
            assert r.actual == pytest.approx(actual, abs=0.006), (t, p)
            assert r.progress == pytest.approx(actual / t.target, abs=1e-6), (t, p)
            expected = month / 12
            assert r.expected == pytest.approx(expected), (t, p)
            progress = actual / t.target
            status = (
                "achieved"
                if progress >= 1
                else "on_track"
                if progress >= 0.9 * expected
                else "behind"
            )
            assert r.status == status, (t, p, progress, expected)
            statuses.add(status)
    assert {"on_track", "behind"} <= statuses


def test_published_target_columns_hide_what_is_suppressed(built) -> None:
    home, _ = built
    got = q(
        home,
        "select t.is_suppressed, t.actual_display, t.progress_display, t.status_display, "
        "v.display_value, v.is_suppressed as value_suppressed "
        "from marts.indicator_targets t join marts.indicator_values v "
        "on v.indicator_code = t.indicator_code and v.period = t.period and v.\"window\" = 'year' "
        "and v.scope = t.scope and v.scope_code is not distinct from t.scope_code",
    )
    assert (got.is_suppressed == got.value_suppressed).all()
    assert (got.actual_display == got.display_value).all()
    hidden = got[got.is_suppressed]
    assert len(hidden) > 0, "the scenario must suppress some partner's yearly figure"
    assert (hidden.progress_display == "<5").all() and hidden.status_display.isna().all()
