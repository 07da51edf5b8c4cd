"""The throw-away PostgreSQL server: reachable on 127.0.0.1 with its password only, its data
directory private, and nothing left behind once stopped."""

from __future__ import annotations

import psycopg
import pytest

from tests import postgres


def test_a_database_of_its_own_on_the_loopback_address(postgres_server) -> None:
    url = postgres_server.create_database("server_check")
    with psycopg.connect(url) as con:
        version = con.execute("show server_version_num").fetchone()
        listen = con.execute("show listen_addresses").fetchone()
        assert con.execute("select current_database()").fetchone() == ("server_check",)
    assert version is not None and int(version[0]) >= 150000
    assert listen == ("127.0.0.1",)
    assert postgres_server.password not in repr(postgres_server)


def test_a_wrong_password_is_refused(postgres_server) -> None:
    wrong = postgres_server.url().replace(postgres_server.password, "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong).close()


def test_stopped_and_removed_at_the_end_even_after_a_failure() -> None:
    with pytest.raises(ZeroDivisionError), postgres.throwaway_server() as server:
        url = server.url()
        psycopg.connect(url).close()
        folder = server.socket_dir
        assert (folder / "data" / "PG_VERSION").exists()
        1 / 0  # noqa: B018 - a failing test inside the server's lifetime
    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3).close()
