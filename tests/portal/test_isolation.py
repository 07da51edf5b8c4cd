"""Nobody sees what is not theirs: every page and download of partner P01 answers 404 to
P02's session, whatever URL it tries, and redirects an anonymous request to /login/; steward
and analyst pages are closed to partners; forms refuse a post without the CSRF token; the
tenth wrong password locks the account."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.portal.conftest import FIXTURES, PASSWORD, PERIOD, REJECTED_FILE, signed_in


@pytest.fixture(scope="module")
def p01_objects(portal_home: Path, accounts: dict[str, str]) -> dict[str, str]:
    """P01's objects: a rejected upload with its annotated workbook, a recorded file's
    feedback, a scorecard; the URL of each."""
    from pipelines.portal import published
    from pipelines.portal.models import Upload
    from pipelines.settings import load

    client = signed_in(accounts["p01"])
    with (FIXTURES / REJECTED_FILE).open("rb") as fh:
        response = client.post(f"/ente/P01/mesi/{PERIOD}/", {"file": fh})
    assert response.status_code == 302
    upload = Upload.objects.get(partner_code="P01")
    assert upload.annotated_path
    recorded = published.submissions(load(portal_home), "P01")
    rejected = next(s for s in recorded if s["status"] == "rejected")
    card = portal_home / "outbox" / "P01" / PERIOD / f"scorecard_{PERIOD}.html"
    card.write_text("<html lang='it'><body>scheda P01</body></html>")
    return {"pk": str(upload.pk), "sid": rejected["submission_id"]}


def status(client, url: str) -> int:  # type: ignore[no-untyped-def]
    """The status of a GET, the response closed (a download holds its file open)."""
    response = client.get(url)
    response.close()
    return response.status_code


def partner_urls(partner: str, o: dict[str, str]) -> list[str]:
    p = f"/ente/{partner}"
    return [
        f"{p}/",
        f"{p}/mesi/{PERIOD}/",
        f"{p}/file/{o['pk']}/",
        f"{p}/file/{o['pk']}/segnalazioni.xlsx",
        f"{p}/storico/",
        f"{p}/esiti/{o['sid']}/",
        f"{p}/scheda/{PERIOD}/",
    ]


STEWARD_URLS = [
    "/referente/calendario/",
    "/referente/file/",
    "/referente/avvisi/",
    "/referente/approvazioni/",
]
ANALYST_URLS = ["/analisi/", "/analisi/indicatori/"]


def test_the_owner_sees_every_page_and_download(p01_objects, accounts) -> None:
    client = signed_in(accounts["p01"])
    for url in [*partner_urls("P01", p01_objects), "/modello.xlsx"]:
        assert status(client, url) == 200, url


def test_another_partner_gets_404_for_every_url_of_p01(p01_objects, accounts) -> None:
    client = signed_in(accounts["p02"])
    for url in partner_urls("P01", p01_objects):
        assert status(client, url) == 404, url
    # P01's objects guessed under P02's own prefix are not found either
    for url in partner_urls("P02", p01_objects)[2:4] + partner_urls("P02", p01_objects)[5:6]:
        assert status(client, url) == 404, url
    # nor can it send a file into P01's month
    with (FIXTURES / REJECTED_FILE).open("rb") as fh:
        assert client.post(f"/ente/P01/mesi/{PERIOD}/", {"file": fh}).status_code == 404


def test_partners_do_not_reach_steward_or_analyst_pages(p01_objects, accounts) -> None:
    client = signed_in(accounts["p01"])
    for url in [*STEWARD_URLS, *ANALYST_URLS, f"/referente/quarantena/{p01_objects['sid']}/"]:
        assert status(client, url) == 404, url
    assert client.get("/admin/").status_code == 302  # the admin's own sign-in, never its pages
    assert (
        client.post(
            "/referente/approvazioni/approva/", {"a-period": PERIOD, "a-partner": "P01"}
        ).status_code
        == 404
    )


def test_anonymous_requests_go_to_login(p01_objects) -> None:
    from django.test import Client

    client = Client()
    urls = [
        *partner_urls("P01", p01_objects),
        *STEWARD_URLS,
        *ANALYST_URLS,
        "/modello.xlsx",
        f"/referente/quarantena/{p01_objects['sid']}/",
        "/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


def test_the_steward_needs_the_second_factor_then_sees_everything(p01_objects, accounts) -> None:
    from django.test import Client

    from pipelines.portal.accounts import add_user

    add_user("referente2@prova.it", "steward", PASSWORD, by="test")  # a wrong code throttles
    half = Client()
    assert (
        half.post("/login/", {"username": "referente2@prova.it", "password": PASSWORD}).status_code
        == 302
    )
    response = half.get("/referente/calendario/")
    assert response.status_code == 302 and response["Location"] == "/login/verifica/"
    assert half.post("/login/verifica/", {"token": "000000"}).status_code == 200  # wrong code
    assert half.get("/admin/").status_code == 302

    steward = signed_in(accounts["steward"], steward=True)
    for url in [*STEWARD_URLS, *ANALYST_URLS, *partner_urls("P01", p01_objects)]:
        assert status(steward, url) == 200, url
    quarantined = steward.get(f"/referente/quarantena/{p01_objects['sid']}/")
    assert quarantined.status_code == 200
    assert b"".join(quarantined.streaming_content) == (FIXTURES / REJECTED_FILE).read_bytes()
    quarantined.close()
    calendar = steward.get("/referente/calendario/").content.decode()
    assert 'data-partner="P01" data-period="2026-03"' in calendar
    assert steward.get("/admin/").status_code == 200


def test_analysts_see_indicators_and_no_partner_page(p01_objects, accounts) -> None:
    client = signed_in(accounts["analyst"])
    page = client.get("/analisi/indicatori/")
    assert page.status_code == 200 and b"REACH_PERSONS" in page.content
    for url in [*partner_urls("P01", p01_objects), *STEWARD_URLS]:
        assert status(client, url) == 404, url


def test_forms_without_the_csrf_token_are_refused(p01_objects, accounts) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert (
        client.post("/login/", {"username": accounts["p01"], "password": PASSWORD}).status_code
        == 403
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=accounts["p01"])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    with (FIXTURES / REJECTED_FILE).open("rb") as fh:
        assert strict.post(f"/ente/P01/mesi/{PERIOD}/", {"file": fh}).status_code == 403
    # the same form with its token is accepted: the refusal was the missing token
    page = strict.get(f"/ente/P01/mesi/{PERIOD}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    with (FIXTURES / REJECTED_FILE).open("rb") as fh:
        assert (
            strict.post(
                f"/ente/P01/mesi/{PERIOD}/", {"file": fh, "csrfmiddlewaretoken": str(token)}
            ).status_code
            == 302
        )


def test_the_tenth_wrong_password_locks_the_account(portal_home) -> None:
    from django.test import Client

    from pipelines.portal.accounts import add_user

    add_user("nove@prova.it", "partner", PASSWORD, "P05", by="test")
    add_user("dieci@prova.it", "partner", PASSWORD, "P06", by="test")
    client = Client()
    for _ in range(9):
        assert (
            client.post(
                "/login/", {"username": "nove@prova.it", "password": "sbagliata"}
            ).status_code
            == 200
        )
    assert (
        client.post("/login/", {"username": "nove@prova.it", "password": PASSWORD}).status_code
        == 302
    )

    client = Client()
    for n in range(1, 11):
        response = client.post("/login/", {"username": "dieci@prova.it", "password": "sbagliata"})
        assert response.status_code == (429 if n == 10 else 200), n
    locked = client.post("/login/", {"username": "dieci@prova.it", "password": PASSWORD})
    assert locked.status_code == 429 and "bloccato" in locked.content.decode()
    assert client.get("/ente/P06/").status_code == 302  # still not signed in


def test_a_disabled_account_cannot_sign_in_and_its_history_stays(portal_home) -> None:
    import subprocess
    import sys

    from django.test import Client

    from pipelines.portal.accounts import add_user
    from pipelines.portal.models import AuditEvent, Upload

    add_user("p09@prova.it", "partner", PASSWORD, "P09", by="test")
    client = signed_in("p09@prova.it")
    with (FIXTURES / REJECTED_FILE).open("rb") as fh:
        assert client.post(f"/ente/P09/mesi/{PERIOD}/", {"file": fh}).status_code == 302
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "user", "disable", "p09@prova.it"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert client.get("/ente/P09/").status_code == 302  # the open session ends too
    refused = Client().post("/login/", {"username": "p09@prova.it", "password": PASSWORD})
    assert refused.status_code == 200
    assert Upload.objects.filter(partner_code="P09").count() == 1
    assert AuditEvent.objects.filter(action="account_disabled", actor="cli").exists()


def test_the_steward_approves_and_reopens_with_a_reason_and_both_are_audited(
    p01_objects, portal_home
) -> None:
    from pipelines.approval.state import latest_action
    from pipelines.portal.accounts import add_user
    from pipelines.portal.models import AuditEvent
    from pipelines.warehouse import raw

    add_user("referente3@prova.it", "steward", PASSWORD, by="test")
    steward = signed_in("referente3@prova.it", steward=True)
    refused = steward.post(
        "/referente/approvazioni/riapri/",
        {"r-period": PERIOD, "r-partner": "P01", "r-reason": "prova"},
        follow=True,
    )
    assert "Non riaperto P01 2026-03" in refused.content.decode()  # it is not approved
    done = steward.post(
        "/referente/approvazioni/approva/",
        {"a-period": PERIOD, "a-partner": "P01", "a-note": "ok"},
        follow=True,
    )
    assert "Approvato P01 2026-03." in done.content.decode()
    no_reason = steward.post(
        "/referente/approvazioni/riapri/",
        {"r-period": PERIOD, "r-partner": "P01", "r-reason": ""},
        follow=True,
    )
    assert "Dati non validi" in no_reason.content.decode()
    reopened = steward.post(
        "/referente/approvazioni/riapri/",
        {"r-period": PERIOD, "r-partner": "P01", "r-reason": "cifre da rivedere"},
        follow=True,
    )
    assert "Riaperto P01 2026-03" in reopened.content.decode()
    con = raw.connect(portal_home / "warehouse.duckdb")
    try:
        assert latest_action(con, "P01", PERIOD) == "reopened"
    finally:
        con.close()
    events = list(
        AuditEvent.objects.filter(actor="referente3@prova.it").values_list(
            "action", "partner_code", "period", "detail"
        )
    )
    assert events == [
        ("reopen", "P01", PERIOD, "cifre da rivedere"),
        ("approve", "P01", PERIOD, events[1][3]),
    ]
    assert events[1][3].startswith("version ") and events[1][3].endswith("; ok")
