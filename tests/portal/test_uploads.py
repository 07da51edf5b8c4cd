"""Sending a file through the portal: the verdict is the validation's own (same as `check`),
the file lands in the partner's inbox month with the upload as its arrival time, its name
can never leave that folder, oversized, zip-bomb and wrong-type files get a clear Italian
answer, what the partner sent is escaped on the page, every upload is an audit event, and
no codice fiscale or password reaches the log."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from tests.helpers import row, write_csv, write_zip_bomb
from tests.portal.conftest import FIXTURES, PASSWORD, PERIOD, REJECTED_FILE, signed_in


@pytest.fixture(scope="module")
def partner(portal_home: Path):  # type: ignore[no-untyped-def]
    from pipelines.portal.accounts import add_user

    add_user("p07@prova.it", "partner", PASSWORD, "P07", by="test")
    return signed_in("p07@prova.it")


def _send(client, path: Path, name: str | None = None):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name or path.name, path.read_bytes())
    response = client.post(f"/ente/P07/mesi/{PERIOD}/", {"file": upload})
    if response.status_code == 302:
        return client.get(response["Location"])
    return response


def _latest():  # type: ignore[no-untyped-def]
    from pipelines.portal.models import Upload

    return Upload.objects.filter(partner_code="P07").first()


@pytest.mark.parametrize(
    "client_name, expected",
    [
        ("../../../etc/passwd", "passwd"),
        ("..\\..\\marzo.xlsx", "marzo.xlsx"),
        ("C:/Documenti/x/.hidden.xlsx", "hidden.xlsx"),
        ("~$marzo.xlsx", "marzo.xlsx"),
        ('rendiconto <b>marzo&"x.xlsx', "rendiconto _b_marzo_x.xlsx"),
        ("perché è così.ods", "perche e cosi.ods"),
        ("upload.part", "upload_part"),
        ("", "rendiconto"),
        ("....", "rendiconto"),
    ],
)
def test_client_file_names_are_reduced_to_a_plain_name(client_name, expected) -> None:
    from pipelines.portal.uploads import safe_name

    assert safe_name(client_name) == expected


def test_the_verdict_is_the_checks_and_the_file_lands_in_the_inbox(portal_home, partner) -> None:
    from pipelines import settings as settings_mod
    from pipelines.ingestion.inbox import drop_of
    from pipelines.portal.models import AuditEvent
    from pipelines.validation.evaluate import evaluate

    before = dt.datetime.now(dt.UTC)
    page = _send(partner, FIXTURES / REJECTED_FILE, "../../P01/2026-03/marzo.xlsx")
    assert page.status_code == 200
    upload = _latest()
    landed = portal_home / upload.inbox_path
    assert landed.parent == portal_home / "inbox" / "P07" / PERIOD and landed.name == "marzo.xlsx"
    assert landed.read_bytes() == (FIXTURES / REJECTED_FILE).read_bytes()
    arrived = dt.datetime.fromtimestamp(landed.stat().st_mtime, dt.UTC)
    assert before - dt.timedelta(seconds=1) <= arrived <= dt.datetime.now(dt.UTC)
    expected = evaluate([drop_of(FIXTURES / REJECTED_FILE, "P07", PERIOD)], settings_mod.load())[
        0
    ].as_json()
    assert [{k: i[k] for k in i if k != "expected"} for i in upload.verdict["issues"]] == expected[
        "issues"
    ]
    assert upload.verdict["status"] == expected["status"] == "rejected"
    html = page.content.decode()
    assert "<td>4</td><td>Codice fiscale</td>" in html
    event = AuditEvent.objects.filter(action="upload", partner_code="P07").first()
    assert event is not None and event.actor == "p07@prova.it" and event.period == PERIOD
    # the same name again never replaces a file the pipeline has not recorded yet
    _send(partner, FIXTURES / "clean_interventi_spese.xlsx", "marzo.xlsx")
    assert _latest().file_name == "marzo_2.xlsx"
    assert landed.read_bytes() == (FIXTURES / REJECTED_FILE).read_bytes()


def test_oversized_files_are_refused_before_they_are_read(portal_home, partner) -> None:
    from django.test import override_settings

    big = portal_home.parent / "grande.csv"
    big.write_bytes(b"x" * 200_000)
    inbox = portal_home / "inbox" / "P07" / PERIOD
    before = sorted(inbox.iterdir()) if inbox.exists() else []
    with override_settings(PORTAL_MAX_UPLOAD_BYTES=100_000):
        page = _send(partner, big)
        assert page.status_code == 413
        assert "troppo grande" in page.content.decode()
        # just above the limit but within the request margin: the form says it, same words
        big.write_bytes(b"x" * 100_500)
        page = _send(partner, big)
        assert page.status_code == 400 and "troppo grande" in page.content.decode()
    assert (sorted(inbox.iterdir()) if inbox.exists() else []) == before


@pytest.mark.parametrize(
    "make, rule, words",
    [
        ("zip_bomb", "file_zip_bomb", None),
        ("bad_type.docx", "file_type_not_accepted", None),
        ("bad_pdf_renamed.xlsx", "file_type_mismatch", None),
    ],
)
def test_zip_bombs_and_wrong_types_get_a_clear_italian_answer(
    portal_home, partner, make, rule, words
) -> None:
    if make == "zip_bomb":
        path = portal_home.parent / "bomba.xlsx"
        write_zip_bomb(path, megabytes=200)
    else:
        path = FIXTURES / make
    page = _send(partner, path)
    upload = _latest()
    assert upload.file_name == path.name and upload.status == "rejected"
    issue = upload.verdict["issues"][0]
    assert issue["rule"] == rule and issue["row"] is None
    assert issue["message"] in page.content.decode().replace("&#x27;", "'")
    assert "Respinto" in page.content.decode()


def test_what_the_partner_sent_is_escaped_on_the_page(portal_home, partner) -> None:
    path = portal_home.parent / "script.csv"
    write_csv(path, "interventi", [row(1, id_intervento="<script>alert(1)</script>" + "x" * 40)])
    page = _send(partner, path).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_no_codice_fiscale_nor_password_in_the_log(portal_home, caplog) -> None:
    from openpyxl import load_workbook

    from pipelines.portal.accounts import add_user

    add_user("p08@prova.it", "partner", PASSWORD, "P08", by="test")
    sheet = load_workbook(FIXTURES / REJECTED_FILE)["interventi"]
    header = [c.value for c in sheet[1]]
    wrong_cf = str(sheet.cell(row=4, column=header.index("Codice fiscale") + 1).value)
    with caplog.at_level(logging.DEBUG):
        client = signed_in("p08@prova.it")
        from django.core.files.uploadedfile import SimpleUploadedFile

        page = client.post(
            f"/ente/P08/mesi/{PERIOD}/",
            {"file": SimpleUploadedFile("marzo.xlsx", (FIXTURES / REJECTED_FILE).read_bytes())},
            follow=True,
        )
        client.post("/login/", {"username": "p08@prova.it", "password": "Sbagliata-123"})
    assert page.status_code == 200 and "Codice fiscale" in page.content.decode()
    logged = caplog.text + json.dumps([r.args for r in caplog.records], default=str)
    assert wrong_cf not in logged and wrong_cf[:11] not in logged
    assert wrong_cf not in page.content.decode()
    assert PASSWORD not in logged and "Sbagliata-123" not in logged
