"""The pseudonymisation key: required outside the demo, never written to logs, run records or
the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from tests.helpers import at, row, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("osservatorio"))
KEY = "k3y-that-must-never-be-printed-7f3a9c"


def test_ingest_refuses_to_run_without_a_key(home: Path) -> None:
    write_xlsx(home / "inbox" / "P01" / "2026-03" / "marzo.xlsx", [row(1)], mtime=at("2026-04-02"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSERVATORIO_SECRET")}
    env["OSSERVATORIO_HOME"] = str(home)
    out = subprocess.run([CLI, "ingest"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2
    assert "OSSERVATORIO_SECRET_KEY" in out.stderr and "Traceback" not in out.stderr
    assert not (home / "warehouse.duckdb").exists()
    assert not (home / "archive").exists() or not any((home / "archive").rglob("*"))


def test_key_never_in_logs_or_run_records(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("OSSERVATORIO_SECRET_KEY", KEY)
    from pipelines import logs

    logs.setup(home / "logs")
    write_xlsx(
        home / "inbox" / "P01" / "2026-03" / "marzo.xlsx",
        [row(i) for i in range(3)],
        mtime=at("2026-04-02"),
    )
    from pipelines.definitions import defs

    instance = dg.DagsterInstance.ephemeral()
    d = defs()
    result = d.resolve_job_def("ingest_and_build").execute_in_process(instance=instance)
    assert result.success
    records = instance.all_logs(result.run_id)
    assert records
    text = "\n".join(str(r) for r in records)
    run = instance.get_run_by_id(result.run_id)
    text += str(run) + str(run.run_config if run else "")
    assert KEY not in text
    for path in home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    # The settings object shows the key as a secret, never its value.
    from pipelines import settings as settings_mod

    assert KEY not in repr(settings_mod.load(home))


def test_no_key_file_or_env_file_in_the_repository() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [
        f
        for f in tracked
        if Path(f).name in (".env", ".demo_secret_key") or f.endswith((".key", ".pem"))
    ]
