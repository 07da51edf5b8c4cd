"""Accounts, for the command line (`osservatorio user add|disable`) and the demo; the admin
does the same through Django's forms. Every change is an audit event."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from pipelines import reference
from pipelines.portal.models import PARTNER, ROLES, STEWARD, Profile, record


class AccountError(Exception):
    """The account cannot be made as asked: the message says why (for operators)."""


@dataclass(frozen=True)
class Created:
    email: str
    role: str
    partner: str
    totp_uri: str | None  # a steward's authenticator setup (otpauth://), shown once


def add_user(
    email: str,
    role: str,
    password: str,
    partner: str | None = None,
    by: str = "cli",
    check_password: bool = True,
) -> Created:
    email = email.strip().lower()
    partner = (partner or "").strip().upper()
    if role not in dict(ROLES):
        raise AccountError(f"unknown role {role!r}: partner, steward or analyst")
    if role == PARTNER and partner not in reference.partners():
        raise AccountError(
            f"a partner account needs a known partner code (--partner), got {partner!r}"
        )
    if role != PARTNER and partner:
        raise AccountError("only partner accounts belong to a partner")
    User = get_user_model()
    if User.objects.filter(username__iexact=email).exists():
        raise FileExistsError(email)
    user = User(username=email, email=email, is_staff=role == STEWARD)
    if check_password:
        validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        Profile.objects.create(user=user, role=role, partner_code=partner)
        uri = None
        if role == STEWARD:
            user.is_superuser = True  # the steward manages accounts in the admin
            user.save(update_fields=["is_superuser"])
            device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
            uri = device.config_url
        record(by, "account_created", partner, "", f"{role} account {user.pk}")
    return Created(email, role, partner, uri)


def disable_user(email: str, by: str = "cli") -> bool:
    User = get_user_model()
    user = User.objects.filter(username__iexact=email.strip()).first()
    if user is None:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(
        by,
        "account_disabled",
        getattr(getattr(user, "profile", None), "partner_code", ""),
        "",
        f"account {user.pk}",
    )
    return True
