"""Serving the portal: Django set up on the workspace's database (migrated at start), and
gunicorn (threaded workers, the app loaded and the validation warmed before forking)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_WORKERS = 2
# Threads mostly wait for the batched check (pipelines/portal/checking.py): enough of them that
# the partners sending at the same moment all join the same validation pass.
DEFAULT_THREADS = 16


def setup_django(migrate: bool = True) -> None:
    """Django configured from `pipelines.portal.settings`, its tables created or updated."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipelines.portal.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, interactive=False)
        connections.close_all()
        _private_database()


def _private_database() -> None:
    """The SQLite file holds password hashes: readable by the platform's user only."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{db['NAME']}{suffix}")
            if path.exists():
                path.chmod(0o600)


def _finish_background(server: Any, worker: Any) -> None:
    from pipelines.portal import background

    background.wait_idle(590)


def serve(host: str, port: int, workers: int | None = None) -> None:
    from gunicorn.app.base import BaseApplication

    os.environ["OSSERVATORIO_PORTAL_WARM"] = "1"
    workers = workers or int(os.environ.get("OSSERVATORIO_PORTAL_WORKERS", "") or DEFAULT_WORKERS)

    class Portal(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": int(
                    os.environ.get("OSSERVATORIO_PORTAL_THREADS", "") or DEFAULT_THREADS
                ),
                "worker_class": "gthread",
                "preload_app": True,
                "timeout": 120,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                # a stopping worker first lets its background run (ingest, build) finish
                "graceful_timeout": 600,
                "worker_exit": _finish_background,
                "forwarded_allow_ips": os.environ.get("OSSERVATORIO_PORTAL_PROXY_IPS", "127.0.0.1"),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):  # type: ignore[no-untyped-def]
            setup_django()
            from pipelines.portal.wsgi import application

            return application

    Portal().run()
