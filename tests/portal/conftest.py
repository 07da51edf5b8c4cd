"""The portal's tests share one workspace: two recorded files of P01 for 2026-03 (one
rejected, one accepted) and a built warehouse, so calendar, history and feedback pages have
real objects; Django is set up on that workspace's database."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import point_at

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "partner_files"
PERIOD = "2026-03"
REJECTED_FILE = "rule_codice_fiscale_check_char.xlsx"  # row 4, column Codice fiscale
CLEAN_FILE = "clean_interventi_spese.xlsx"
PASSWORD = "Prova-portale-2026!"  # noqa: S105 - test accounts


@pytest.fixture(scope="package")
def portal_home(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("portal")
    with pytest.MonkeyPatch.context() as mp:
        point_at(home, mp)
        mp.setenv("OSSERVATORIO_PORTAL_AUTO_INGEST", "0")  # the in-process tests check pages
        mp.setenv("OSSERVATORIO_PORTAL_SECRET_KEY", "portal-test-key-" + "x" * 40)
        mp.setenv("DJANGO_SETTINGS_MODULE", "pipelines.portal.settings")
        mp.setenv("OSSERVATORIO_PORTAL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
        _recorded_files(home)
        from pipelines.portal.server import setup_django

        setup_django()
        from django.conf import settings

        assert settings.DATABASES["default"]["NAME"] == str(home / "portal.sqlite3"), (
            "Django was set up on another workspace"
        )
        yield home


def _recorded_files(home: Path) -> None:
    from pipelines import settings as settings_mod
    from pipelines.ingest import ingest
    from pipelines.warehouse.build import build_warehouse

    folder = home / "inbox" / "P01" / PERIOD
    folder.mkdir(parents=True)
    for i, name in enumerate((REJECTED_FILE, CLEAN_FILE)):
        shutil.copy(FIXTURES / name, folder / name)
        t = 1775000000 + i * 3600  # 2026-03-31/04-01: before the due date
        os.utime(folder / name, (t, t))
    settings = settings_mod.load(home)
    summary = ingest(settings)
    assert (summary.accepted, summary.rejected) == (1, 1)
    build_warehouse(settings)


@pytest.fixture(scope="package")
def accounts(portal_home: Path) -> dict[str, str]:
    """One account per role (and a second partner), e-mail by role name."""
    from pipelines.portal.accounts import add_user

    made = {
        "p01": ("partner", "P01"),
        "p02": ("partner", "P02"),
        "steward": ("steward", None),
        "analyst": ("analyst", None),
    }
    out = {}
    for key, (role, partner) in made.items():
        email = f"{key}@prova.it"
        add_user(email, role, PASSWORD, partner, by="test")
        out[key] = email
    return out


def totp_now(email: str) -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=email)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):0{device.digits}d}"


def signed_in(email: str, steward: bool = False, **client_kwargs):  # type: ignore[no-untyped-def]
    """A test client signed in through the real sign-in form (and TOTP for a steward)."""
    from django.test import Client

    client = Client(**client_kwargs)
    response = client.post("/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if steward:
        response = client.post("/login/verifica/", {"token": totp_now(email)})
        assert response.status_code == 302 and "verifica" not in response["Location"]
    return client
