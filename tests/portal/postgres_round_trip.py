"""Run by tests/portal/test_postgres.py in a process of its own (Django is configured once per
process, and the other portal tests use SQLite): the portal on the database of DATABASE_URL,
migrated, one partner account signed in through the form, one upload; prints what happened
as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.portal.conftest import CLEAN_FILE, FIXTURES, PASSWORD, PERIOD

EMAIL = "p07@prova.it"


def main() -> None:
    from pipelines.portal.server import setup_django

    setup_django()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client

    from pipelines.portal.accounts import add_user
    from pipelines.portal.models import AuditEvent, Upload

    add_user(EMAIL, "partner", PASSWORD, "P07", by="test")
    client = Client()
    signed_in = client.post("/login/", {"username": EMAIL, "password": PASSWORD})
    upload = SimpleUploadedFile(CLEAN_FILE, (FIXTURES / CLEAN_FILE).read_bytes())
    sent = client.post(f"/ente/P07/mesi/{PERIOD}/", {"file": upload})
    page = client.get(sent["Location"]) if sent.status_code == 302 else sent
    latest = Upload.objects.get(partner_code="P07")
    result = {
        "engine": settings.DATABASES["default"]["ENGINE"],
        "vendor": connection.vendor,
        "sign_in": signed_in.status_code,
        "sign_in_to": signed_in.get("Location", ""),
        "page": page.status_code,
        "upload_status": latest.status,
        "inbox_path": latest.inbox_path,
        "actions": sorted(AuditEvent.objects.values_list("action", flat=True)),
        "upload_table": Upload._meta.db_table,
        "audit_table": AuditEvent._meta.db_table,
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main()
