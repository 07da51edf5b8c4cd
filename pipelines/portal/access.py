"""Who may see what. A partner account sees only its own partner; any other partner's object
answers 404, as a missing one does. Steward pages need a verified second factor (TOTP)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from pipelines.portal.models import ANALYST, PARTNER, STEWARD

View = Callable[..., HttpResponse]


def role_of(user: Any) -> str | None:
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile.role if profile else None


def partner_of(user: Any) -> str | None:
    return user.profile.partner_code if role_of(user) == PARTNER else None


def steward_verified(user: Any) -> bool:
    return role_of(user) == STEWARD and user.is_verified()


def may_see_partner(user: Any, partner: str) -> bool:
    """A partner account sees its own partner; a verified steward sees every partner."""
    return partner_of(user) == partner or steward_verified(user)


def roles(*allowed: str) -> Callable[[View], View]:
    """Signed in (else redirect to /login/), with one of the roles (else 404); a steward
    who has not given the second factor yet is sent to give it."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            role = role_of(request.user)
            if role == STEWARD and not request.user.is_verified():  # type: ignore[union-attr]
                return redirect("portal:otp")
            if role not in allowed:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def own_partner(request: HttpRequest, partner: str) -> str:
    """The partner code of the URL if this account may see it; 404 otherwise."""
    if not may_see_partner(request.user, partner):
        raise Http404
    return partner


def role_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    return {
        "portal_role": role,
        "portal_partner": partner_of(user) if role == PARTNER else None,
        "is_steward": role == STEWARD,
        "is_analyst": role in (ANALYST, STEWARD),
    }
