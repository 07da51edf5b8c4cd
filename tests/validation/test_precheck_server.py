"""The warm pre-check: `check --serve` answers `check` with the same text and exit status as
a check run in the caller's own process, only for the workspace, settings, seeds and suites
it was started with, and `check` works alone when no server runs or one has died."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines import settings as settings_mod
from pipelines.validation import precheck

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "partner_files"
FILES = [
    "clean_interventi_spese.xlsx",
    "rule_esito_value.csv",
    "bad_missing_column_with_row_errors.xlsx",
    "bad_truncated.xlsx",
    "rule_spese_importo_totale_range.ods",
]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSERVATORIO_")}
    env["OSSERVATORIO_HOME"] = str(home)
    return env


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=ROOT,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def server(tmp_path: Path, monkeypatch) -> Iterator[tuple[Path, subprocess.Popen]]:
    home = tmp_path / "ws"
    monkeypatch.setenv("OSSERVATORIO_HOME", str(home))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "check", "--serve"],
        cwd=ROOT,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # once listening
    assert "pre-check server on" in line, proc.stderr.read() if proc.stderr else line
    yield home, proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)  # waits, and closes the pipes


def test_warm_answers_are_the_cold_ones(server) -> None:
    home, _ = server
    settings = settings_mod.load(home)
    for name in FILES:
        for fmt in ("text", "json"):
            warm = precheck.ask(CORPUS / name, "P01", "2026-03", fmt, settings)
            assert warm is not None, name  # the server answered
            assert warm == precheck.run(CORPUS / name, "P01", "2026-03", fmt, settings)
    statuses = {precheck.ask(CORPUS / n, "P01", "2026-03", "text", settings)[0] for n in FILES}  # type: ignore[index]
    assert statuses == {0, 1}


def test_cli_prints_the_server_answer(server) -> None:
    home, _ = server
    settings = settings_mod.load(home)
    done = _cli(home, "check", str(CORPUS / FILES[1]), "--partner", "p01", "--period", "2026-03")
    status, text = precheck.run(CORPUS / FILES[1], "P01", "2026-03", "text", settings)
    assert (done.returncode, done.stdout) == (status, text + "\n")


def test_other_settings_are_refused(server) -> None:
    home, _ = server
    settings = settings_mod.load(home)
    other = dataclasses.replace(settings, end_period="2026-02")
    assert precheck.ask(CORPUS / FILES[0], "P01", "2026-03", "text", other) is None
    # the check falls back to its own run, which knows the month is outside the partnership
    status, text = precheck.run(CORPUS / FILES[0], "P01", "2026-03", "text", other)
    assert status == 1 and "marzo 2026" in text


def test_one_server_per_workspace(server) -> None:
    home, _ = server
    second = _cli(home, "check", "--serve")
    assert second.returncode == 1 and "already answers" in second.stderr


def test_without_server_check_runs_alone(server) -> None:
    home, proc = server
    proc.kill()  # no cleanup: the socket stays behind
    proc.wait(timeout=30)
    assert (home / precheck.SOCKET_NAME).exists()
    settings = settings_mod.load(home)
    assert precheck.ask(CORPUS / FILES[1], "P01", "2026-03", "text", settings) is None
    done = _cli(home, "check", str(CORPUS / FILES[1]), "--partner", "P01", "--period", "2026-03")
    assert done.returncode == 1 and "Esito: RESPINTO" in done.stdout


def test_sigterm_removes_the_socket(server) -> None:
    home, proc = server
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert not (home / precheck.SOCKET_NAME).exists()


def test_check_without_file_is_a_usage_error(tmp_path: Path) -> None:
    done = _cli(tmp_path, "check", "--partner", "P01", "--period", "2026-03")
    assert done.returncode == 2 and "required" in done.stderr
