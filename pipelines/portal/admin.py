"""Accounts in Django's admin (steward and staff only, with TOTP): the role and partner of
each account beside Django's user form; every change is also an audit event."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from pipelines.portal.models import AuditEvent, Profile, Upload, record


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    inlines = (ProfileInline,)
    list_display = ("username", "is_active", "is_staff", "last_login")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        what = "account_changed" if change else "account_created"
        if change and "is_active" in form.changed_data and not obj.is_active:
            what = "account_disabled"
        record(request.user.get_username(), what, "", "", f"account {obj.pk}")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "partner_code", "period", "detail")
    list_filter = ("action",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("uploaded_at", "partner_code", "period", "file_name", "status")
    readonly_fields = tuple(f.name for f in Upload._meta.fields)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
