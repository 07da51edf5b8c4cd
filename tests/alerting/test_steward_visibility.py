"""Every problem visible the moment it happens: a rejected file before its due date is
`rejected` in `status` at once; without a steward address the steward's alerts are in the
log with a warning, and printed by --dry-run; a partner whose only file was rejected is
reminded with that file's name and feedback, never told that nothing arrived."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.ingest import ingest
from pipelines.warehouse.build import build_warehouse
from tests.helpers import at, row, write_xlsx

CLI = str(Path(sys.executable).with_name("osservatorio"))
PERIOD = "2026-03"  # due 10 April 2026


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OSSERVATORIO_SMTP", "OSSERVATORIO_STEWARD"))
    }
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def workspace(module_home: Path, module_settings):
    """P01's only March file is rejected on 3 April; P02 reports on time; built on 5 April."""
    inbox = module_home / "inbox"
    write_xlsx(
        inbox / "P01" / PERIOD / "marzo.xlsx", [row(1), row(2, sesso="X")], mtime=at("2026-04-03")
    )
    write_xlsx(inbox / "P02" / PERIOD / "marzo.xlsx", [row(10)], mtime=at("2026-04-02"))
    ingest(module_settings)
    build_warehouse(module_settings, as_of=dt.date(2026, 4, 5))
    return module_home


def test_a_rejected_file_before_the_due_date_is_rejected_in_status_at_once(workspace) -> None:
    out = cli("status", "--period", PERIOD, "--format", "json")
    assert out.returncode == 0, out.stderr
    got = {r["partner"]: r for r in json.loads(out.stdout)}
    assert got["P01"]["status"] == "rejected"
    assert got["P01"]["received_at"] == "2026-04-03T14:00:00+02:00"  # Europe/Rome
    assert got["P02"]["status"] == "on_time" and got["P02"]["approved"] is False
    assert got["P03"]["status"] == "not_due"  # nothing at all, not yet due
    text = cli("status", "--period", PERIOD)
    assert "P01 2026-03 rejected" in text.stdout and "2026-04-03 14:00 +02:00" in text.stdout


def test_without_a_steward_address_the_alerts_are_in_the_log(workspace) -> None:
    dry = cli("alerts", "--as-of", "2026-04-05", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "--- to steward <no address set: it would go to the log only>" in dry.stdout
    assert (
        "- [file_rejected] P01 2026-03: file marzo.xlsx received 2026-04-03 14:00 "
        "rejected (1 error: sesso_value (1))" in dry.stdout
    )
    assert "no steward address (OSSERVATORIO_STEWARD_EMAIL is not set)" in dry.stderr
    assert not (workspace / "logs" / "alerts.jsonl").exists()  # a dry run records nothing

    real = cli("alerts", "--as-of", "2026-04-05")
    assert real.returncode == 0, real.stderr
    assert "no steward address (OSSERVATORIO_STEWARD_EMAIL is not set)" in real.stderr
    log = (workspace / "logs" / "osservatorio.log").read_text(encoding="utf-8")
    assert "WARNING pipelines.alerting.delivery: alerts: no steward address" in log
    assert "alerts for the steward (no steward address" in log
    assert "- [file_rejected] P01 2026-03: file marzo.xlsx" in log
    records = [
        json.loads(x) for x in (workspace / "logs" / "alerts.jsonl").read_text().splitlines()
    ]
    steward = [r for r in records if r["audience"] == "steward"]
    assert steward and {r["reason"] for r in steward} == {
        "no steward address (OSSERVATORIO_STEWARD_EMAIL is not set)"
    }


def test_a_partner_whose_only_file_was_rejected_is_told_so(workspace, module_settings) -> None:
    from pipelines.alerting import facts as facts_mod
    from pipelines.alerting import rules
    from pipelines.alerting.config import AlertConfig
    from pipelines.alerting.run import cutoff
    from pipelines.workspace import Workspace

    build_warehouse(module_settings, as_of=dt.date(2026, 4, 20))
    day = dt.date(2026, 4, 20)
    facts = facts_mod.load(Workspace(workspace), cutoff(day, module_settings))
    (reminder,) = [
        a
        for a in rules.alerts_due(facts, day, AlertConfig())
        if a.rule == "report_missing"
        and a.audience == "partner"
        and a.partner == "P01"
        and a.period == PERIOD
    ]
    subject, body = rules.partner_text(reminder)
    assert subject == "Rendiconto di marzo 2026 mancante (scadenza 10/04/2026)"
    assert "Non abbiamo ricevuto alcun file" not in body
    assert "Il file «marzo.xlsx» ricevuto il 03/04/2026 è arrivato ed è stato respinto" in body
    assert "outbox/P01/2026-03/esito_" in body and ".html" in body
    page = next(line for line in body.splitlines() if line.startswith("outbox/"))
    assert (workspace / page).is_file()
