"""Every input of the portal is a form (Django validates, escapes and CSRF-protects it)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from pipelines.period import PERIOD_RE


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Indirizzo e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {  # noqa: RUF012 - Django reads it as a class attribute
        "invalid_login": "E-mail o password non corretti. Dopo 10 tentativi sbagliati "
        "l'account viene bloccato per un'ora.",
        "inactive": "Questo account è disattivato.",
    }


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Codice di verifica (6 cifre dall'app di autenticazione)",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File del rendiconto (xlsx, xlsm, xls, ods o csv)",
        help_text="Al massimo 10 MB. Il file viene controllato subito.",
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        f = self.cleaned_data["file"]
        if f.size > settings.PORTAL_MAX_UPLOAD_BYTES:
            mb = settings.PORTAL_MAX_UPLOAD_BYTES // 1024**2
            raise forms.ValidationError(
                f"Il file è troppo grande: al massimo {mb} MB. Un rendiconto mensile è di "
                "solito molto più piccolo: controllare di aver scelto il file giusto."
            )
        if f.size == 0:
            raise forms.ValidationError("Il file è vuoto.")
        return f


def _period(value: str) -> str:
    value = value.strip()
    if not PERIOD_RE.match(value):
        raise forms.ValidationError("Il mese deve essere nella forma AAAA-MM.")
    return value


class ApproveForm(forms.Form):
    period = forms.CharField(label="Mese (AAAA-MM)", max_length=7)
    partner = forms.CharField(
        label="Ente (vuoto: tutti gli enti del mese)", max_length=8, required=False
    )
    note = forms.CharField(label="Nota", max_length=500, required=False)

    def clean_period(self) -> str:
        return _period(self.cleaned_data["period"])

    def clean_partner(self) -> str:
        return self.cleaned_data["partner"].strip().upper()


class ReopenForm(forms.Form):
    period = forms.CharField(label="Mese (AAAA-MM)", max_length=7)
    partner = forms.CharField(label="Ente", max_length=8)
    reason = forms.CharField(label="Motivo della riapertura", max_length=500)

    def clean_period(self) -> str:
        return _period(self.cleaned_data["period"])

    def clean_partner(self) -> str:
        return self.cleaned_data["partner"].strip().upper()
