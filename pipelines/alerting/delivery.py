"""Delivering alerts: e-mail over SMTP, an append-only JSON-lines log, each alert once.

- Partners get one message per alert, in Italian, at the address of the address book.
- The steward gets one digest per delivery (the alerts that are new), in the configured
  language, at `OSSERVATORIO_STEWARD_EMAIL`.
- Every new alert is one line of `<home>/logs/alerts.jsonl`: its key, rule, audience,
  partner, period, facts and how it was delivered (`smtp`, `log_only` with the reason,
  or `failed`). An alert whose key was delivered (`smtp` or `log_only`) is never sent
  again; a `failed` one is tried again at the next evaluation.
- Without SMTP settings everything goes to the log only, and the log and the summary say so.
- Without `OSSERVATORIO_STEWARD_EMAIL` the steward's digest is not dropped: it is written to
  the application log (logs/osservatorio.log) with a warning that no steward address is set,
  every evaluation says so in its notes, and `--dry-run` prints it.
Neither the password nor any address is ever logged.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import smtplib
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from pipelines.alerting.config import AlertConfig
from pipelines.alerting.contacts import CONTACTS_FILE, partner_addresses
from pipelines.alerting.rules import (
    PARTNER,
    SEVERITIES,
    STEWARD,
    Alert,
    partner_text,
    steward_line,
    steward_subject,
)
from pipelines.settings import Settings
from pipelines.workspace import Workspace

log = logging.getLogger(__name__)

LOG_NAME = "alerts.jsonl"
SUBJECT_PREFIX = "[Osservatorio] "
SENT, LOG_ONLY, FAILED = "smtp", "log_only", "failed"
NO_SMTP = "no SMTP settings (OSSERVATORIO_SMTP_HOST is not set): alerts go to the log only"
NO_STEWARD = "no steward address (OSSERVATORIO_STEWARD_EMAIL is not set)"


class AlertLog:
    """`<home>/logs/alerts.jsonl`: one line per new alert, never rewritten."""

    def __init__(self, home: Path) -> None:
        self.path = Workspace(home).logs / LOG_NAME

    def records(self) -> list[dict]:
        if not self.path.exists():
            return []
        out = []
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        log.warning("alert log: skipped an unreadable line")
        return out

    def delivered_keys(self) -> set[str]:
        return {r["key"] for r in self.records() if r.get("delivery") in (SENT, LOG_ONLY)}

    def append(self, records: Sequence[dict]) -> None:
        if not records:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One evaluation at a time (the CLI and the Dagster schedule may overlap)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_suffix(".lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class Message:
    audience: str  # partner | steward
    partner: str | None
    to: str
    subject: str
    body: str
    language: str
    alerts: list[Alert]

    @property
    def recipient(self) -> str:
        """Who, without the address (for logs and summaries)."""
        return f"partner {self.partner}" if self.audience == PARTNER else "steward"


@dataclass
class Delivery:
    as_of: dt.date
    alerts: list[Alert]  # every alert that holds
    new: list[Alert] = field(default_factory=list)  # not delivered before
    messages: list[Message] = field(default_factory=list)
    unsent: list[Message] = field(default_factory=list)  # the steward's digest, no address set
    outcome: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # key -> (how, why)
    smtp: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def count(self, how: str) -> int:
        return sum(1 for d, _ in self.outcome.values() if d == how)

    @property
    def mode(self) -> str:
        return (
            "dry run: nothing sent or recorded"
            if self.dry_run
            else ("e-mail (SMTP)" if self.smtp else "log only: no SMTP settings")
        )

    def summary(self) -> str:
        head = (
            f"alerts as of {self.as_of}: {len(self.alerts)} hold, {len(self.new)} new, "
            f"{len(self.messages)} messages"
        )
        if self.dry_run:
            return f"{head} ({self.mode})"
        return (
            f"{head}; {self.count(SENT)} sent by e-mail, {self.count(LOG_ONLY)} logged only,"
            f" {self.count(FAILED)} failed ({self.mode})"
        )

    def metadata(self) -> dict[str, Any]:  # Dagster run metadata: plain JSON values
        by_rule: dict[str, int] = {}
        for a in self.new:
            by_rule[a.rule] = by_rule.get(a.rule, 0) + 1
        return {
            "as_of": self.as_of.isoformat(),
            "delivery": self.mode,
            "alerts_holding": len(self.alerts),
            "new_alerts": len(self.new),
            "new_by_rule": by_rule,
            "messages": len(self.messages),
            "sent": self.count(SENT),
            "logged_only": self.count(LOG_ONLY),
            "failed": self.count(FAILED),
            "notes": list(self.notes),
        }


# --- composing ---------------------------------------------------------------------------


def _severity_order(a: Alert) -> tuple[int, str]:
    return SEVERITIES.index(a.severity), a.key


# The steward's digest is a to-do list: what to do, in the order to do it.
TODO: tuple[tuple[tuple[str, ...], dict[str, str]], ...] = (
    (
        ("run_failed", "check_failed"),
        {
            "en": "The pipeline failed: look at the run",
            "it": "La pipeline si è fermata: guardare l'esecuzione",
        },
    ),
    (
        ("report_missing", "report_late", "data_stale"),
        {
            "en": "Missing and late reports: chase the partners",
            "it": "Rendiconti mancanti e in ritardo: sollecitare gli enti",
        },
    ),
    (
        ("file_rejected", "rejected_repeatedly", "file_held"),
        {
            "en": "Rejected and held files: look at them (a held file waits for its month to be "
            "reopened)",
            "it": "File respinti e in attesa: da guardare (un file in attesa aspetta che il suo "
            "mese sia riaperto)",
        },
    ),
    (("ready_to_approve",), {"en": "Months ready to approve", "it": "Mesi pronti da approvare"}),
    (
        ("anomaly",),
        {
            "en": "Anomalies: check the figure against its usual range",
            "it": "Anomalie: confrontare il dato con i valori abituali",
        },
    ),
)
OTHER = {"en": "Other", "it": "Altro"}


def steward_digest(alerts: Sequence[Alert], as_of: dt.date, language: str) -> tuple[str, str]:
    """One message for all the steward's new alerts, as a to-do list: the pipeline, missing
    and late reports, rejected and held files, months to approve, anomalies."""
    ordered = sorted(alerts, key=_severity_order)
    lines = [steward_line(a, language) for a in ordered]
    if len(lines) == 1:
        subject = steward_subject(ordered[0], language)
    elif language == "it":
        subject = f"{len(lines)} nuovi avvisi al {as_of.strftime('%d/%m/%Y')}"
    else:
        subject = f"{len(lines)} new alerts as of {as_of.isoformat()}"
    intro = (
        f"Avvisi dell'osservatorio al {as_of.strftime('%d/%m/%Y')}: {len(lines)} nuovi."
        if language == "it"
        else f"Osservatorio alerts as of {as_of.isoformat()}: {len(lines)} new."
    )
    body = [intro]
    placed = {rule for rules_, _ in TODO for rule in rules_}
    sections = [*TODO, (tuple({a.rule for a in ordered} - placed), OTHER)]
    for rules_, heading in sections:
        group = [a for a in ordered if a.rule in rules_]
        if group:
            body += ["", f"{heading[language]}:"]
            body += [f"- [{a.rule}] {steward_line(a, language)}" for a in group]
    body += [
        "",
        (
            "Calendario delle consegne: `osservatorio status`; registro degli avvisi: "
            "logs/alerts.jsonl."
            if language == "it"
            else "Submission calendar: `osservatorio status`; alert log: logs/alerts.jsonl."
        ),
    ]
    return subject, "\n".join(body) + "\n"


def compose(
    alerts: Sequence[Alert],
    settings: Settings,
    config: AlertConfig,
    as_of: dt.date,
    addresses: dict[str, str],
) -> tuple[list[Message], dict[str, str]]:
    """The messages for these alerts, and the alerts nobody can receive (key -> why). The
    steward's digest without a steward address is a message with no address (`to` empty):
    it goes to the log, never to a server."""
    messages: list[Message] = []
    unaddressed: dict[str, str] = {}
    for a in sorted((a for a in alerts if a.audience == PARTNER), key=lambda a: a.key):
        to = addresses.get(a.partner or "")
        if not to:
            unaddressed[a.key] = (
                f"no e-mail address for partner {a.partner} in {CONTACTS_FILE.name}"
            )
            continue
        subject, body = partner_text(a)
        messages.append(Message(PARTNER, a.partner, to, SUBJECT_PREFIX + subject, body, "it", [a]))
    steward = [a for a in alerts if a.audience == STEWARD]
    if steward:
        subject, body = steward_digest(steward, as_of, config.language)
        messages.append(
            Message(
                STEWARD,
                None,
                settings.steward_email or "",
                SUBJECT_PREFIX + subject,
                body,
                config.language,
                sorted(steward, key=_severity_order),
            )
        )
        if not settings.steward_email:
            for a in steward:
                unaddressed[a.key] = NO_STEWARD
    return messages, unaddressed


def email_of(m: Message, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    msg.set_content(m.body)  # first: it clears every Content-* header
    msg["From"] = settings.mail_from
    msg["To"] = m.to
    msg["Subject"] = m.subject
    msg["Date"] = formatdate(localtime=True)
    domain = settings.mail_from.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    msg["Content-Language"] = m.language
    msg["X-Osservatorio-Rules"] = ",".join(sorted({a.rule for a in m.alerts}))
    return msg


# --- sending -----------------------------------------------------------------------------


@contextmanager
def smtp_connection(settings: Settings) -> Iterator[smtplib.SMTP]:
    host = settings.smtp_host or "localhost"
    server: smtplib.SMTP
    if settings.smtp_security == "ssl":
        server = smtplib.SMTP_SSL(
            host, settings.smtp_port, timeout=30, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(host, settings.smtp_port, timeout=30)
    try:
        if settings.smtp_security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.reveal().decode() if settings.smtp_password else ""
            server.login(settings.smtp_user, password)
        yield server
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()


def send(messages: Sequence[Message], settings: Settings) -> dict[int, tuple[str, str | None]]:
    """Send over one connection; index of the message -> (smtp | failed, error class)."""
    out: dict[int, tuple[str, str | None]] = {}
    if not messages:
        return out
    try:
        with smtp_connection(settings) as server:
            for i, m in enumerate(messages):
                try:
                    server.send_message(email_of(m, settings))
                    out[i] = (SENT, None)
                except (smtplib.SMTPException, OSError) as exc:
                    log.error(
                        "alerts: the message to the %s failed: %s", m.recipient, type(exc).__name__
                    )
                    out[i] = (FAILED, type(exc).__name__)
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        # The exception names the server's answer, never the password.
        log.error(
            "alerts: no SMTP connection to %s:%s (%s)",
            settings.smtp_host,
            settings.smtp_port,
            type(exc).__name__,
        )
        for i in range(len(messages)):
            out.setdefault(i, (FAILED, type(exc).__name__))
    return out


def _record(a: Alert, as_of: dt.date, how: str, why: str | None) -> dict:
    return {
        "logged_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat(),
        "key": a.key,
        "rule": a.rule,
        "severity": a.severity,
        "audience": a.audience,
        "partner": a.partner,
        "period": a.period,
        "detail": a.detail,
        "bucket": a.bucket,
        "facts": dict(a.facts),
        "delivery": how,
        "reason": why,
    }


def deliver(
    alerts: Sequence[Alert],
    settings: Settings,
    config: AlertConfig,
    as_of: dt.date,
    dry_run: bool = False,
    notes: Sequence[str] = (),
) -> Delivery:
    """Send and record the alerts not delivered before; the rest is left alone."""
    alert_log = AlertLog(settings.home)
    result = Delivery(
        as_of, list(alerts), smtp=bool(settings.smtp_host), dry_run=dry_run, notes=list(notes)
    )
    if not result.smtp:
        result.notes.append(NO_SMTP)
    if not settings.steward_email:
        result.notes.append(
            f"{NO_STEWARD}: the steward's alerts go to the log only "
            "(logs/alerts.jsonl and logs/osservatorio.log)"
        )
    with alert_log.locked():
        done = alert_log.delivered_keys()
        seen: set[str] = set()
        for a in alerts:
            if a.key not in done and a.key not in seen:
                seen.add(a.key)
                result.new.append(a)
        composed, unaddressed = compose(result.new, settings, config, as_of, partner_addresses())
        result.messages = [m for m in composed if m.to]
        result.unsent = [m for m in composed if not m.to]
        if dry_run:
            return result
        for key, why in unaddressed.items():
            result.outcome[key] = (LOG_ONLY, why)
        if result.smtp:
            for i, outcome in send(result.messages, settings).items():
                for a in result.messages[i].alerts:
                    result.outcome[a.key] = outcome
        else:
            for m in result.messages:
                for a in m.alerts:
                    result.outcome[a.key] = (LOG_ONLY, NO_SMTP)
        alert_log.append([_record(a, as_of, *result.outcome[a.key]) for a in result.new])
    for note in result.notes:
        log.warning("alerts: %s", note)
    for m in result.unsent:
        log.warning(
            "alerts for the steward (%s), logged here instead:\n%s\n%s",
            NO_STEWARD,
            m.subject,
            m.body,
        )
    log.info("%s", result.summary())
    return result
