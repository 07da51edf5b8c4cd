"""`osservatorio demo` as a newcomer runs it: a short terminal (one line per step, a
summary), dbt's output in the log, and the month's report written where it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = Path(sys.executable).parent / "osservatorio"


def test_demo_prints_a_short_summary_ending_with_the_report(tmp_path: Path) -> None:
    home = tmp_path / "data"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("OSSERVATORIO_", "DAGSTER_HOME"))
    }
    # Three months of six partners: the same code path as the full demo, in a minute.
    env.update(OSSERVATORIO_HOME=str(home), OSSERVATORIO_END="2026-03")
    done = subprocess.run(
        [str(CLI), "demo", "--partners", "6", "--rows", "20"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = (done.stdout + done.stderr).splitlines()
    assert 8 <= len(lines) <= 40, lines
    assert not any(
        "Running with dbt" in x or "dagster - " in x or "Traceback" in x for x in lines
    ), lines
    assert sum(": done (" in x for x in lines) == 3  # ingestion, dbt, disclosure control
    assert "the latest month due" in "\n".join(lines) and "2026-03" in "\n".join(lines)
    last = lines[-1]
    assert last.startswith("Report: ")
    report = Path(last.removeprefix("Report: "))
    assert report == home / "reports" / "report_2026-03.html" and report.stat().st_size > 10_000
    assert (home / "reports" / "indicatori_2026-01_2026-03.xlsx").is_file()
    assert len(list((home / "outbox").glob("P*/2026-03/scorecard_2026-03.html"))) == 28
    run_log = (home / "logs" / "demo_run.log").read_text(encoding="utf-8")
    assert "Running with dbt" in run_log  # dbt's output went to the log
    key = (home / ".demo_secret_key").read_text().strip()
    assert key not in run_log and key not in done.stdout  # the demo's own key is never shown
