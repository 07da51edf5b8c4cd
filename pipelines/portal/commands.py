"""What the command line does for the portal (`osservatorio portal`, `user add|disable`, the
demo's accounts): thin wiring over `server` and `accounts`."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

DEMO_DOMAIN = "esempio.it"


def user_add(email: str, role: str, partner: str | None, password: str) -> int:
    from pipelines.portal.server import setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from pipelines.portal.accounts import AccountError, add_user

    try:
        created = add_user(email, role, password, partner)
    except FileExistsError:
        print(f"error: an account {email.strip().lower()} already exists", file=sys.stderr)
        return 1
    except (AccountError, ValidationError) as exc:
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        print(f"error: {text}", file=sys.stderr)
        return 2
    print(
        f"Account {created.email} created ({created.role}"
        f"{' ' + created.partner if created.partner else ''})."
    )
    if created.totp_uri:
        print("Second factor: add this key to the steward's authenticator app (shown once):")
        print(created.totp_uri)
    return 0


def user_disable(email: str) -> int:
    from pipelines.portal.server import setup_django

    setup_django()
    from pipelines.portal.accounts import disable_user

    if not disable_user(email):
        print(f"error: no account {email}", file=sys.stderr)
        return 1
    print(f"Account {email} disabled: it can no longer sign in; its history stays.")
    return 0


def demo_accounts(home: Path) -> list[str]:
    """A partner, a steward and an analyst for a newcomer; two lines to print."""
    from pipelines.portal.server import setup_django

    setup_django()
    from pipelines.portal.accounts import add_user

    password = "demo-" + secrets.token_urlsafe(9)
    add_user(f"p01@{DEMO_DOMAIN}", "partner", password, "P01", by="demo", check_password=False)
    add_user(f"analista@{DEMO_DOMAIN}", "analyst", password, by="demo", check_password=False)
    steward = add_user(
        f"referente@{DEMO_DOMAIN}", "steward", password, by="demo", check_password=False
    )
    totp = home / "portal_demo_totp.txt"
    totp.write_text(f"{steward.totp_uri}\n")
    totp.chmod(0o600)
    return [
        f"Portal (`osservatorio portal`, http://127.0.0.1:8000/): p01@{DEMO_DOMAIN}, "
        f"analista@{DEMO_DOMAIN}, referente@{DEMO_DOMAIN}, password {password}",
        f"  (the steward's TOTP key, for an authenticator app: {totp})",
    ]
