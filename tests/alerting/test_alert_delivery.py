"""Delivery over a real SMTP server: authentication, the alert log, each alert once, retries
after a failure, the log-only mode without SMTP settings; never the password in a log."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from pipelines.alerting import rules
from pipelines.alerting.config import AlertConfig
from pipelines.alerting.delivery import NO_SMTP, AlertLog, deliver
from pipelines.settings import Secret
from tests.alerting.smtp_server import SMTP_PASSWORD, SMTP_USER, STEWARD, SmtpServer, free_port

AS_OF = dt.date(2026, 7, 8)
CONFIG = AlertConfig()


def some_alerts() -> list[rules.Alert]:
    f = {"due_date": "2026-07-10", "days_left": 2}
    missing = {"due_date": "2026-06-10", "days_late": 28, "files": 0, "reminder": 4}
    return [
        rules.Alert("reminder_due_soon", rules.PARTNER, "P01", "2026-06", facts=f),
        rules.Alert(
            "report_missing", rules.PARTNER, "P03", "2026-05", bucket="week4", facts=missing
        ),
        rules.Alert(
            "report_missing", rules.STEWARD, "P03", "2026-05", bucket="week4", facts=missing
        ),
        *rules.run_failure_alerts(
            "build_warehouse",
            "feedbeef" * 4,
            ["warehouse_models"],
            ["DagsterDbtCliRuntimeError"],
            [],
        ),
    ]


def ours_only(caplog: pytest.LogCaptureFixture) -> str:
    """The platform's log lines (the test server logs the whole SMTP dialogue)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("pipelines"))


def records(home: Path) -> list[dict]:
    return AlertLog(home).records()


def test_sends_with_authentication_once_and_never_logs_the_password(
    settings, smtp_auth_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    s = smtp_auth_server.settings_for(
        settings, smtp_user=SMTP_USER, smtp_password=Secret(SMTP_PASSWORD.encode())
    )
    caplog.set_level(logging.DEBUG)
    first = deliver(some_alerts(), s, CONFIG, AS_OF)
    got = smtp_auth_server.mailbox.take()
    assert sorted((r.to[0], r.subject) for r in got) == [
        (
            "p01@partner.example",
            "[Osservatorio] Promemoria: rendiconto di giugno 2026 in scadenza il 10/07/2026",
        ),
        (
            "p03@partner.example",
            "[Osservatorio] Rendiconto di maggio 2026 mancante (scadenza 10/06/2026)",
        ),
        (STEWARD, "[Osservatorio] 2 new alerts as of 2026-07-08"),
    ]
    digest = next(r for r in got if r.to == [STEWARD])
    lines = [x for x in digest.body.splitlines() if x.startswith("- [")]
    assert lines == [  # most severe first
        "- [run_failed] Pipeline run failed: job build_warehouse, run feedbeef; failed steps: "
        "warehouse_models; errors: DagsterDbtCliRuntimeError",
        "- [report_missing] P03 2026-05: report missing, due 2026-06-10 (28 days ago)",
    ]
    assert all(r.message["Auto-Submitted"] == "auto-generated" for r in got)
    assert first.count("smtp") == 4 and first.count("failed") == 0
    assert [r["delivery"] for r in records(s.home)] == ["smtp"] * 4
    # Re-evaluating sends nothing and records nothing.
    again = deliver(some_alerts(), s, CONFIG, AS_OF)
    assert again.new == [] and smtp_auth_server.mailbox.take() == []
    assert len(records(s.home)) == 4
    ours = ours_only(caplog) + (s.home / "logs" / "alerts.jsonl").read_text()
    assert SMTP_PASSWORD not in ours + repr(s) + str(s.smtp_password)
    assert base64.b64encode(SMTP_PASSWORD.encode()).decode() not in ours
    assert "@partner.example" not in ours and STEWARD not in ours  # roles, not addresses


def test_a_wrong_password_fails_and_is_tried_again(
    settings, smtp_auth_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "not-the-password-either"
    s = smtp_auth_server.settings_for(
        settings, smtp_user=SMTP_USER, smtp_password=Secret(wrong.encode())
    )
    result = deliver(some_alerts(), s, CONFIG, AS_OF)
    assert result.count("failed") == 4 and smtp_auth_server.mailbox.take() == []
    assert {r["reason"] for r in records(s.home)} == {"SMTPAuthenticationError"}
    assert wrong not in ours_only(caplog) + (s.home / "logs" / "alerts.jsonl").read_text()
    fixed = dataclasses.replace(s, smtp_password=Secret(SMTP_PASSWORD.encode()))
    retry = deliver(some_alerts(), fixed, CONFIG, AS_OF)
    assert len(retry.new) == 4 and len(smtp_auth_server.mailbox.take()) == 3


def test_a_server_that_is_down_fails_every_message(settings) -> None:
    s = dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=free_port(), steward_email=STEWARD
    )
    result = deliver(some_alerts(), s, CONFIG, AS_OF)
    assert result.count("failed") == 4
    assert "4 failed" in result.summary()


def test_without_smtp_settings_the_alerts_go_to_the_log_only(settings) -> None:
    assert settings.smtp_host is None
    result = deliver(some_alerts(), settings, CONFIG, AS_OF)
    assert NO_SMTP in result.notes and "log only: no SMTP settings" in result.summary()
    assert result.metadata()["delivery"] == "log only: no SMTP settings"
    logged = records(settings.home)
    assert [r["delivery"] for r in logged] == ["log_only"] * 4
    # No steward address either: the steward's alerts say that instead.
    assert {r["reason"] for r in logged if r["audience"] == "steward"} == {
        "no steward address (OSSERVATORIO_STEWARD_EMAIL is not set)"
    }
    assert {r["reason"] for r in logged if r["audience"] == "partner"} == {NO_SMTP}
    assert deliver(some_alerts(), settings, CONFIG, AS_OF).new == []
    line = json.loads((settings.home / "logs" / "alerts.jsonl").read_text().splitlines()[0])
    assert set(line) == {
        "logged_at",
        "as_of",
        "key",
        "rule",
        "severity",
        "audience",
        "partner",
        "period",
        "detail",
        "bucket",
        "facts",
        "delivery",
        "reason",
    }


def test_a_partner_without_an_address_is_logged(
    settings, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.alerting import delivery

    monkeypatch.setattr(delivery, "partner_addresses", lambda: {"P01": "p01@partner.example"})
    s = smtp_server.settings_for(settings)
    deliver(some_alerts(), s, CONFIG, AS_OF)
    assert sorted(r.to[0] for r in smtp_server.mailbox.take()) == ["p01@partner.example", STEWARD]
    by_partner = {r["partner"]: r for r in records(s.home) if r["audience"] == "partner"}
    assert by_partner["P03"]["delivery"] == "log_only"
    assert "no e-mail address for partner P03" in by_partner["P03"]["reason"]


def test_dry_run_sends_and_records_nothing(settings, smtp_server: SmtpServer) -> None:
    s = smtp_server.settings_for(settings)
    result = deliver(some_alerts(), s, CONFIG, AS_OF, dry_run=True)
    assert len(result.messages) == 3 and result.outcome == {}
    assert smtp_server.mailbox.take() == [] and records(s.home) == []


def test_the_steward_reads_italian_when_configured(settings, smtp_server: SmtpServer) -> None:
    s = smtp_server.settings_for(settings)
    deliver(some_alerts(), s, AlertConfig(language="it"), AS_OF)
    digest = next(r for r in smtp_server.mailbox.take() if r.to == [STEWARD])
    assert digest.subject == "[Osservatorio] 2 nuovi avvisi al 08/07/2026"
    assert (
        "- [report_missing] P03 2026-05: rendiconto mancante, scadenza 10/06/2026 "
        "(28 giorni fa)" in digest.body
    )
    assert digest.message["Content-Language"] == "it"
