"""The WSGI application that gunicorn serves (`osservatorio portal`)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipelines.portal.settings")
application = get_wsgi_application()
