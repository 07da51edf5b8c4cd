"""A real SMTP server on localhost (aiosmtpd) for the alerting tests, and what it received."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

STEWARD = "steward@osservatorio.example"
SMTP_USER = "osservatorio"
SMTP_PASSWORD = "s3cret-smtp-password-never-logged"  # noqa: S105 - a test server's password


@dataclass
class Received:
    mail_from: str
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()  # a folded header may start with a space

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")  # as sent over SMTP


@dataclass
class Mailbox:
    """What the server received, in order of arrival."""

    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # the aiosmtpd hook
        msg = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def take(self) -> list[Received]:
        """Everything received since the last take."""
        with self.lock:
            out, self.received = self.received, []
        return out


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox

    def settings_for(self, settings, **over):
        """The settings pointed at this server (the environment stays as it is)."""
        return dataclasses.replace(
            settings,
            smtp_host=self.host,
            smtp_port=self.port,
            smtp_security="none",
            steward_email=STEWARD,
            mail_from="osservatorio@osservatorio.example",
            **over,
        )

    def env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The same through the environment (for code that loads the settings itself)."""
        monkeypatch.setenv("OSSERVATORIO_SMTP_HOST", self.host)
        monkeypatch.setenv("OSSERVATORIO_SMTP_PORT", str(self.port))
        monkeypatch.setenv("OSSERVATORIO_SMTP_SECURITY", "none")
        monkeypatch.setenv("OSSERVATORIO_STEWARD_EMAIL", STEWARD)
        monkeypatch.setenv("OSSERVATORIO_MAIL_FROM", "osservatorio@osservatorio.example")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == SMTP_USER
        and auth_data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok, handled=False)


def serve(auth: bool) -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    port = free_port()
    kwargs = (
        {"authenticator": _authenticator, "auth_require_tls": False, "auth_required": True}
        if auth
        else {}
    )
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, mailbox)
    finally:
        controller.stop()
