"""Shared fixtures: a fresh workspace per test, a test key, small synthetic inboxes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TEST_KEY = "test-key-not-for-production-0123456789"

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def point_at(ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("OSSERVATORIO_HOME", str(ws))
    monkeypatch.setenv("OSSERVATORIO_SECRET_KEY", TEST_KEY)
    monkeypatch.delenv("OSSERVATORIO_SECRET_KEY_FILE", raising=False)
    monkeypatch.delenv("OSSERVATORIO_START", raising=False)
    monkeypatch.delenv("OSSERVATORIO_END", raising=False)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("OSSERVATORIO_MAX_FILE_MB", raising=False)
    return ws


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty workspace, with the environment pointing at it and a test key set."""
    return point_at(tmp_path / "workspace", monkeypatch)


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory):
    """The same, shared by the tests of one module (for scenarios that cost a dbt build)."""
    with pytest.MonkeyPatch.context() as mp:
        yield point_at(tmp_path_factory.mktemp("workspace"), mp)


@pytest.fixture(scope="module")
def module_settings(module_home: Path):
    from pipelines import settings as settings_mod

    return settings_mod.load(module_home)


@pytest.fixture
def settings(home: Path):
    from pipelines import settings as settings_mod

    return settings_mod.load(home)


@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL server (tests/postgres.py), shared by the whole session."""
    from tests import postgres

    with postgres.throwaway_server() as server:
        yield server
