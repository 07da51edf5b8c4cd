"""The portal's own records: who an account is (role, partner), the files sent through the
portal with their verdict, and the audit trail of every change."""

from __future__ import annotations

from django.conf import settings
from django.db import models

PARTNER, STEWARD, ANALYST = "partner", "steward", "analyst"
VERDICT_IT = {
    "accepted": "accettato",
    "accepted_with_warnings": "accettato con avvisi",
    "rejected": "respinto",
}
ROLES = [(PARTNER, "ente partner"), (STEWARD, "referente dei dati"), (ANALYST, "analista")]


class Profile(models.Model):
    """The account's role; a partner account belongs to exactly one partner."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=10, choices=ROLES)
    partner_code = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=~models.Q(role=PARTNER) | ~models.Q(partner_code=""),
                name="partner_account_has_partner",
            ),
        )

    def __str__(self) -> str:
        return f"{self.role} {self.partner_code}".strip()


class Upload(models.Model):
    """A file sent through the portal: where it went in the inbox and what the check said.
    The verdict is `check --format json` (codici fiscali already masked)."""

    partner_code = models.CharField(max_length=8, db_index=True)
    period = models.CharField(max_length=7)
    file_name = models.CharField(max_length=255)  # as it lies in the inbox (sanitised)
    inbox_path = models.CharField(max_length=500)  # relative to OSSERVATORIO_HOME
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()
    status = models.CharField(max_length=32)
    verdict = models.JSONField()
    annotated_path = models.CharField(max_length=500, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("-uploaded_at", "-pk")

    @property
    def status_it(self) -> str:
        return VERDICT_IT.get(self.status, self.status)


class AuditEvent(models.Model):
    """Every change made through the portal or its commands: who, when, what."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=254)  # the account's e-mail, or `cli`
    action = models.CharField(max_length=40)
    partner_code = models.CharField(max_length=8, blank=True, default="")
    period = models.CharField(max_length=7, blank=True, default="")
    detail = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


def record(
    actor: str, action: str, partner: str = "", period: str = "", detail: str = ""
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor, action=action, partner_code=partner, period=period, detail=detail
    )
