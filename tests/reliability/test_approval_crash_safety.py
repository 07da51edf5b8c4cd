"""Crash safety of the approval state: `approve` and the ingestion that applies held files
after a reopening, killed with SIGKILL at a random point and run again, leave what an
uninterrupted run leaves (the approval history, the ledger, the applied files)."""

from __future__ import annotations

import random
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.helpers import at, row, write_xlsx
from tests.reliability.test_crash_safety import CLI, _env, _kill_after, _run, _state


def _approvals(home: Path) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            "select approval_seq, partner_code, period, action, acted_by, note, "
            "sha256 from raw.period_approvals order by approval_seq"
        ).fetchall()
    finally:
        con.close()


def _applied(home: Path) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            "select s.file_name, s.status from raw.held_releases r "
            "join raw.submissions s using (submission_id) order by all"
        ).fetchall()
    finally:
        con.close()


def _timed(home: Path, *args: str) -> float:
    start = time.monotonic()
    _run(home, *args)
    return time.monotonic() - start


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """P01 and P02 report March; P01's March is approved, two corrections of it are held,
    and it is reopened; P02's April arrives meanwhile. What remains: one ingest (applying
    the held files and taking April) and the approval of P02's March."""
    home = tmp_path_factory.mktemp("prepared")
    inbox = home / "inbox"
    write_xlsx(
        inbox / "P01" / "2026-03" / "marzo.xlsx", [row(i) for i in range(5)], mtime=at("2026-04-05")
    )
    write_xlsx(
        inbox / "P02" / "2026-03" / "marzo.xlsx",
        [row(30 + i) for i in range(4)],
        mtime=at("2026-04-06"),
    )
    _run(home, "ingest")
    _run(home, "approve", "--period", "2026-03", "--partner", "P01", "--by", "Anna")
    write_xlsx(
        inbox / "P01" / "2026-03" / "marzo_v2.xlsx",
        [row(i) for i in range(7)],
        mtime=at("2026-04-20"),
    )
    write_xlsx(
        inbox / "P01" / "2026-03" / "marzo_v3.xlsx",
        [row(i) for i in range(8)],
        mtime=at("2026-04-21"),
    )
    _run(home, "ingest")
    _run(
        home,
        "reopen",
        "--period",
        "2026-03",
        "--partner",
        "P01",
        "--by",
        "Anna",
        "--reason",
        "two corrections",
    )
    write_xlsx(
        inbox / "P02" / "2026-04" / "aprile.xlsx",
        [row(50 + i, "2026-04") for i in range(3)],
        mtime=at("2026-05-04"),
    )
    return home


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, copy_function=shutil.copy2)
    return dest


@pytest.mark.parametrize("seed", [3, 4])
def test_the_ingest_applying_held_files_killed_then_restarted(
    prepared, tmp_path: Path, seed: int
) -> None:
    reference = _copy(prepared, tmp_path / "reference")
    took = _timed(reference, "ingest")
    assert [name for name, _ in _applied(reference)] == ["marzo_v2.xlsx", "marzo_v3.xlsx"]
    home = _copy(prepared, tmp_path / "killed")
    killed = _kill_after(home, random.Random(seed).uniform(0.3, 0.95) * took, "ingest")
    _run(home, "ingest")
    assert killed, "the ingest finished before its kill: the test proved nothing"
    assert _state(home) == _state(reference)
    assert _applied(home) == _applied(reference)


def test_approve_killed_then_run_again_records_one_approval(prepared, tmp_path: Path) -> None:
    reference = _copy(prepared, tmp_path / "reference")
    took = _timed(reference, "approve", "--period", "2026-03", "--partner", "P02", "--by", "Bruno")
    home = _copy(prepared, tmp_path / "killed")
    assert _kill_after(
        home,
        random.Random(9).uniform(0.2, 0.9) * took,
        "approve",
        "--period",
        "2026-03",
        "--partner",
        "P02",
        "--by",
        "Bruno",
    )
    again = subprocess.run(
        [CLI, "approve", "--period", "2026-03", "--partner", "P02", "--by", "Bruno"],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    # Killed before its commit: approved now; after it: said so ("already approved").
    assert again.returncode == 0 or "already approved" in again.stderr, again.stderr
    assert _approvals(home) == _approvals(reference)
    assert [a[3] for a in _approvals(home)] == ["approved", "reopened", "approved"]
