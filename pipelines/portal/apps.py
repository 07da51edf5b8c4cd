"""The portal's Django app; warms the validation when a server process starts."""

from __future__ import annotations

import logging

from django.apps import AppConfig
from django.conf import settings

log = logging.getLogger(__name__)


class PortalConfig(AppConfig):
    name = "pipelines.portal"
    label = "portal"
    verbose_name = "Osservatorio portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        logging.getLogger("pipelines").setLevel(logging.INFO)
        # GX's first import and suite load cost seconds: pay them before the first upload
        # (gunicorn loads the app before forking its workers, so they start warm).
        if settings.PORTAL_WARM:
            from pipelines.portal.warm import warm_validation

            warm_validation()
