"""The portal's addresses. A partner's objects live under `/ente/<PARTNER>/`, so that a URL
names whose object it is and `own_partner` can refuse it (404) before anything is read."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from pipelines.portal.views import analyst, auth, partner, steward

# The admin (accounts) is for verified steward and staff accounts only: password and TOTP.
admin.site.__class__ = OTPAdminSite

P = "ente/<str:partner>/"
portal_patterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/verifica/", auth.otp, name="otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(P, partner.month_list, name="months"),
    path(P + "mesi/<str:period>/", partner.month_detail, name="month"),
    path(P + "file/<int:pk>/", partner.upload_detail, name="upload"),
    path(P + "file/<int:pk>/segnalazioni.xlsx", partner.annotated, name="annotated"),
    path(P + "storico/", partner.history, name="history"),
    path(P + "esiti/<str:submission_id>/", partner.feedback, name="feedback"),
    path(P + "scheda/<str:period>/", partner.scorecard, name="scorecard"),
    path("modello.xlsx", partner.template, name="template"),
    path("referente/calendario/", steward.calendar_grid, name="calendar"),
    path("referente/file/", steward.problem_files, name="problems"),
    path("referente/quarantena/<str:submission_id>/", steward.quarantined, name="quarantined"),
    path("referente/avvisi/", steward.alerts, name="alerts"),
    path("referente/approvazioni/", steward.approvals, name="approvals"),
    path("referente/approvazioni/approva/", steward.approve, name="approve"),
    path("referente/approvazioni/riapri/", steward.reopen, name="reopen"),
    path("analisi/", analyst.analysis, name="analysis"),
    path("analisi/report/<str:name>", analyst.report_file, name="report_file"),
    path("analisi/indicatori/", analyst.indicators, name="indicators"),
]
urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((portal_patterns, "portal"))),
]
