"""Crash safety: ingestion and the build killed with SIGKILL at random points, then restarted,
leave exactly what an uninterrupted run leaves: no file lost, none counted twice."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.synthetic.generator import GeneratorConfig, generate
from tests.conftest import TEST_KEY

CLI = str(Path(sys.executable).with_name("osservatorio"))
CONFIG = GeneratorConfig(
    seed=23,
    partners=5,
    start_period="2026-01",
    months=3,
    rows_per_file=40,
    error_rate=0.15,
    correction_rate=0.2,
)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSERVATORIO_")}
    env.update({"OSSERVATORIO_HOME": str(home), "OSSERVATORIO_SECRET_KEY": TEST_KEY})
    return env


def _run(home: Path, *args: str) -> None:
    out = subprocess.run([CLI, *args], env=_env(home), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]


def _kill_after(home: Path, seconds: float, *args: str) -> bool:
    """Start the command, SIGKILL it after `seconds`; True if it was still running."""
    proc = subprocess.Popen(
        [CLI, *args], env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def _kill_when_archived(home: Path, files: int, rng: random.Random) -> bool:
    """Start an ingest and SIGKILL it once `files` files are in the archive (a point inside
    the per-file work: archive, feedback, transaction), plus a random few milliseconds."""
    proc = subprocess.Popen(
        [CLI, "ingest"], env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    archive = home / "archive"
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        done = sum(1 for p in archive.rglob("*") if p.is_file()) if archive.exists() else 0
        if done >= files:
            time.sleep(rng.uniform(0.0, 0.05))
            break
        time.sleep(0.01)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return True


def _state(home: Path) -> dict:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        ledger = con.execute(
            "select partner_code, period, file_name, sha256, version, status, rows_accepted "
            "from raw.submissions order by all"
        ).fetchall()
        rows = con.execute(
            "select submission_id, count(*) from raw.interventi group by all order by all"
        ).fetchall()
        spese = con.execute("select count(*) from raw.spese").fetchone()
    finally:
        con.close()
    files = sorted(
        str(p.relative_to(home))
        for sub in ("archive", "quarantine", "outbox")
        for p in (home / sub).rglob("*")
        if p.is_file()
    )
    return {"ledger": ledger, "rows": rows, "spese": spese, "files": files}


def _indicators(home: Path) -> list[tuple]:
    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            'select indicator_code, period, "window", scope, scope_code, value '
            "from marts.indicator_values order by all"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float, float]:
    """An inbox, the workspace of an uninterrupted ingest and build of it, and how long
    each took (kills are drawn inside those durations)."""
    source = tmp_path_factory.mktemp("source")
    generate(source / "inbox", CONFIG, manifest_path=source / "manifest.json")
    home = tmp_path_factory.mktemp("reference")
    shutil.copytree(source / "inbox", home / "inbox", copy_function=shutil.copy2)
    start = time.monotonic()
    _run(home, "ingest")
    ingest_s = time.monotonic() - start
    start = time.monotonic()
    _run(home, "build")
    return source, home, ingest_s, time.monotonic() - start


def _copy_mtimes(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, copy_function=shutil.copy2)


@pytest.mark.parametrize("seed", [1, 2])
def test_ingest_killed_at_random_then_restarted(reference, tmp_path: Path, seed: int) -> None:
    source, ref_home, _, _ = reference
    archived = sum(1 for p in (ref_home / "archive").rglob("*") if p.is_file())
    home = tmp_path / "workspace"
    _copy_mtimes(source / "inbox", home / "inbox")
    rng = random.Random(seed)
    first = rng.randint(1, archived // 2)
    second = rng.randint(first + 1, archived - 1)
    killed = sum(_kill_when_archived(home, n, rng) for n in (first, second))
    _run(home, "ingest")
    assert killed == 2, "an ingest finished before its kill: the test proved nothing"
    assert _state(home) == _state(ref_home)


def test_build_killed_then_rebuilt_gives_the_same_indicators(reference, tmp_path: Path) -> None:
    source, ref_home, _, build_s = reference
    home = tmp_path / "workspace"
    _copy_mtimes(source / "inbox", home / "inbox")
    _run(home, "ingest")
    assert _kill_after(home, random.Random(7).uniform(0.5, 0.9) * build_s, "build")
    _run(home, "build")
    assert _indicators(home) == _indicators(ref_home)
