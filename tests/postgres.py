"""A throw-away PostgreSQL server for the tests: a data directory under a fresh temporary
folder, a free port on 127.0.0.1 only (and a unix socket in the same folder), a superuser with
a random password, stopped and removed at the end even when the tests fail.

initdb refuses to run as root: as root (the CI) the server runs as the `postgres` system user
that Debian's `postgresql` package creates; otherwise as the current user."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("OSSERVATORIO_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
SYSTEM_USER = "postgres"
SUPERUSER = "osservatorio"
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class Server:
    """A running server: connect with `url(database)`. The password is never printed."""

    host: str
    port: int
    socket_dir: Path
    user: str
    password: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def __repr__(self) -> str:  # keeps the password out of pytest's reports
        return f"Server(host={self.host!r}, port={self.port})"

    def create_database(self, name: str) -> str:
        """A new empty database (a plain identifier), its URL."""
        import psycopg

        if not name.isidentifier():
            raise ValueError(f"not a plain database name: {name!r}")
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'create database "{name}"')
        return self.url(name)


def missing_reason() -> str | None:
    """Why no server can be started here, or None."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL 15 is not installed ({PG_BIN}/initdb): run `make system-deps`"
    if os.geteuid() == 0 and not _system_user_exists():
        return f"running as root and there is no `{SYSTEM_USER}` user to run PostgreSQL"
    return None


@contextlib.contextmanager
def throwaway_server(options: str = "") -> Iterator[Server]:
    """`options`: more `-c name=value` settings (the benchmarks give the server more memory)."""
    reason = missing_reason()
    if reason:
        raise RuntimeError(reason)
    root = Path(tempfile.mkdtemp(prefix="osservatorio-pg-"))
    data = root / "data"
    started = False
    try:
        password = secrets.token_urlsafe(24)
        pwfile = root / "pwfile"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        _give_to_server_user(root)
        _run(
            [
                str(PG_BIN / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                SUPERUSER,
                "--pwfile",
                str(pwfile),
                "--auth",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ]
        )
        pwfile.unlink()
        port = _free_port()
        options = " ".join(
            (
                "-c listen_addresses=127.0.0.1",
                f"-c port={port}",
                f"-c unix_socket_directories={root}",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c max_connections=100 -c shared_buffers=64MB",
                options,
            )
        ).strip()
        started = True
        _run(
            [
                str(PG_BIN / "pg_ctl"),
                "--pgdata",
                str(data),
                "--log",
                str(root / "server.log"),
                "--wait",
                "--timeout",
                str(START_TIMEOUT_S),
                "--options",
                options,
                "start",
            ]
        )
        yield Server("127.0.0.1", port, root, SUPERUSER, password)
    finally:
        if started:
            _run(
                [str(PG_BIN / "pg_ctl"), "--pgdata", str(data), "--mode", "fast", "stop"],
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


def _system_user_exists() -> bool:
    import pwd

    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        return False
    return True


def _give_to_server_user(root: Path) -> None:
    if os.geteuid() != 0:
        return
    for path in (root, *root.rglob("*")):
        shutil.chown(path, SYSTEM_USER, SYSTEM_USER)


def _run(command: list[str], check: bool = True) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", SYSTEM_USER, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, cwd="/", check=False)
    if check and done.returncode != 0:
        program = next(Path(c).name for c in command if c.startswith(str(PG_BIN)))
        raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
