"""The portal's database on PostgreSQL (DATABASE_URL): the migrations run on the throw-away
server, a partner signs in and uploads a file, and the account, the upload and the audit
events are rows of that server (no SQLite file appears); the database password is in
neither the output nor the log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import TEST_KEY
from tests.portal.postgres_round_trip import EMAIL

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def round_trip(postgres_server, tmp_path_factory: pytest.TempPathFactory):
    url = postgres_server.create_database("portal")
    home = tmp_path_factory.mktemp("portal_postgres")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OSSERVATORIO_", "DJANGO_"))}
    env.update(
        DATABASE_URL=url,
        OSSERVATORIO_HOME=str(home),
        OSSERVATORIO_SECRET_KEY=TEST_KEY,
        OSSERVATORIO_PORTAL_SECRET_KEY="portal-test-key-" + "x" * 40,
        OSSERVATORIO_PORTAL_AUTO_INGEST="0",
        OSSERVATORIO_PORTAL_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="pipelines.portal.settings",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.portal.postgres_round_trip"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), done, home  # not the URL: pytest prints fixtures


def test_the_portal_migrates_and_runs_on_postgresql(round_trip) -> None:
    result, _, home = round_trip
    assert (result["engine"], result["vendor"]) == ("django.db.backends.postgresql", "postgresql")
    assert result["sign_in"] == 302 and "/login/" not in result["sign_in_to"]
    assert result["page"] == 200
    assert result["upload_status"] in ("accepted", "accepted_with_warnings")
    assert (home / result["inbox_path"]).parent == home / "inbox" / "P07" / "2026-03"
    assert not list(home.glob("*.sqlite3*"))


def test_the_rows_are_in_the_server(round_trip, postgres_server) -> None:
    result, _, _ = round_trip
    with psycopg.connect(postgres_server.url("portal")) as con:
        (migrations,) = con.execute(
            "select count(*) from django_migrations where app = 'portal'"
        ).fetchone() or (0,)
        user = con.execute("select password from auth_user where username = %s", (EMAIL,))
        (hashed,) = user.fetchone() or ("",)
        uploads = con.execute(f"select partner_code, period from {result['upload_table']}")
        actions = con.execute(f"select action from {result['audit_table']} order by action")
        assert migrations >= 1
        assert hashed.startswith("argon2$")
        assert uploads.fetchall() == [("P07", "2026-03")]
        assert "upload" in [a for (a,) in actions.fetchall()]


def test_the_database_password_is_never_written(round_trip, postgres_server) -> None:
    _, done, home = round_trip
    logs = "".join(p.read_text(errors="replace") for p in home.rglob("*.log"))
    for text in (done.stdout, done.stderr, logs):
        assert postgres_server.password not in text
