"""Sign-in (Django's own, with django-axes' lockout), the steward's second factor (TOTP,
django-otp), and the home page that sends each role to its pages."""

from __future__ import annotations

import django_otp
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_otp import match_token

from pipelines.portal.access import role_of
from pipelines.portal.forms import LoginForm, TokenForm
from pipelines.portal.models import ANALYST, PARTNER, STEWARD


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def otp(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) != STEWARD or request.user.is_verified():  # type: ignore[union-attr]
        return redirect("portal:home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return redirect("portal:home")
        form.add_error("token", "Codice non valido o scaduto: riprovare con il codice attuale.")
    return render(request, "portal/otp.html", {"form": form})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    if role == PARTNER:
        return redirect("portal:months", partner=request.user.profile.partner_code)  # type: ignore[union-attr]
    if role == STEWARD:
        return redirect("portal:calendar")
    if role == ANALYST:
        return redirect("portal:analysis")
    return render(request, "portal/no_role.html", status=403)
