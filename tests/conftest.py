"""Shared fixtures: a fresh workspace per test, a test key, small synthetic inboxes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TEST_KEY = "test-key-not-for-production-0123456789"

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty workspace, with the environment pointing at it and a test key set."""
    ws = tmp_path / "workspace"
    ws.mkdir()
    monkeypatch.setenv("OSSERVATORIO_HOME", str(ws))
    monkeypatch.setenv("OSSERVATORIO_SECRET_KEY", TEST_KEY)
    monkeypatch.delenv("OSSERVATORIO_SECRET_KEY_FILE", raising=False)
    monkeypatch.delenv("OSSERVATORIO_START", raising=False)
    monkeypatch.delenv("OSSERVATORIO_END", raising=False)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return ws


@pytest.fixture
def settings(home: Path):
    from pipelines import settings as settings_mod

    return settings_mod.load(home)
