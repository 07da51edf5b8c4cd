"""A real SMTP server on localhost (aiosmtpd), started and stopped by the tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alerting.smtp_server import SmtpServer, serve


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    yield from serve(auth=False)


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    """A server that requires AUTH LOGIN/PLAIN with SMTP_USER / SMTP_PASSWORD."""
    yield from serve(auth=True)
