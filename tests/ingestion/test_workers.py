"""A backlog read and answered by worker processes gives what one process gives, in one batch
or in many read ahead: the same feedback files and the same raw tables, for the fixture corpus (every rule broken once, every
format) and a generated inbox of several partners and months."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.same_outputs import digest_file, digest_tables
from pipelines import settings as settings_mod
from pipelines import workers
from pipelines.ingest import ingest
from pipelines.synthetic.generator import GeneratorConfig, generate
from tests.conftest import point_at

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "partner_files"
RAW = ["raw.submissions", "raw.submission_issues", "raw.interventi", "raw.spese"]


def _inbox(root: Path) -> Path:
    inbox = root / "inbox"
    month = inbox / "P01" / "2026-03"
    month.mkdir(parents=True)
    cases = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["cases"]
    for case in cases:
        shutil.copy2(CORPUS / case["file"], month / case["file"])
    generate(
        inbox,
        GeneratorConfig(seed=5, partners=4, start_period="2026-01", months=3, rows_per_file=20),
    )
    return inbox


def _ingested(home: Path, inbox: Path, workers_setting: str, mp: pytest.MonkeyPatch) -> dict:
    point_at(home, mp)
    mp.setenv("OSSERVATORIO_START", "2026-01")
    mp.setenv("OSSERVATORIO_WORKERS", workers_setting)
    shutil.copytree(inbox, home / "inbox", copy_function=shutil.copy2)
    summary = ingest(settings_mod.load(home))
    feedback = {
        p.relative_to(home).as_posix(): digest_file(p)
        for p in sorted((home / "outbox").rglob("*"))
        if p.is_file()
    }
    return {
        "summary": (summary.new, summary.accepted, summary.rejected, summary.rows_accepted),
        "feedback": feedback,
        "raw": digest_tables(home / "warehouse.duckdb", RAW, home),
    }


def test_workers_give_what_one_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = _inbox(tmp_path / "source")
    files = sum(1 for p in inbox.rglob("*") if p.is_file())
    assert files >= workers.MIN_FILES  # the backlog is large enough to start the workers
    with monkeypatch.context() as mp:
        alone = _ingested(tmp_path / "alone", inbox, "1", mp)
    with monkeypatch.context() as mp:
        pooled = _ingested(tmp_path / "pooled", inbox, "2", mp)
    with monkeypatch.context() as mp:
        # small batches: each is validated and recorded while the pool reads the next one
        mp.setattr("pipelines.ingest.BATCH_FILES", 7)
        batched = _ingested(tmp_path / "batched", inbox, "2", mp)
    assert alone["summary"][1] > 0 and alone["summary"][2] > 0  # accepted and rejected files
    assert any(name.endswith("_segnalazioni.xlsx") for name in alone["feedback"])
    assert pooled["summary"] == alone["summary"]
    assert pooled["feedback"] == alone["feedback"]
    assert pooled["raw"] == alone["raw"]
    assert batched == alone


def test_a_pool_is_started_only_for_a_backlog() -> None:
    with workers.pool(workers.MIN_FILES - 1, 2) as few:
        assert few is None
    with workers.pool(50, 1) as single:
        assert single is None
    with workers.pool(50, 2) as pool:
        assert pool is not None
        # the work runs in other processes, which die with this one
        pids = set(pool.map(_pid, range(8)))
        parents = set(pool.map(_parent, range(8)))
    import os

    assert os.getpid() not in pids
    assert parents == {os.getpid()}


def _pid(_: int) -> int:
    import os

    return os.getpid()


def _parent(_: int) -> int:
    import os

    return os.getppid()


def test_the_workers_setting_is_checked(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("OSSERVATORIO_WORKERS", "0")
    with pytest.raises(settings_mod.SettingsError, match="OSSERVATORIO_WORKERS"):
        settings_mod.load(home)
    monkeypatch.setenv("OSSERVATORIO_WORKERS", "3")
    assert settings_mod.load(home).workers == 3
