"""Django settings of the portal, from the environment (importable without Dagster).

The web database is SQLite in the workspace (`OSSERVATORIO_HOME/portal.sqlite3`) unless
`DATABASE_URL` names another one. Django's secret key comes from
`OSSERVATORIO_PORTAL_SECRET_KEY`, or from a key file made once in the workspace.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

HOME = Path(os.environ.get("OSSERVATORIO_HOME", "") or "data").resolve()


def _secret_key(home: Path) -> str:
    value = os.environ.get("OSSERVATORIO_PORTAL_SECRET_KEY", "").strip()
    if value:
        return value
    key_file = home / ".portal_secret_key"
    if not key_file.is_file():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


SECRET_KEY = _secret_key(HOME)
DEBUG = _flag("OSSERVATORIO_PORTAL_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("OSSERVATORIO_PORTAL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip()
    for o in os.environ.get("OSSERVATORIO_PORTAL_TRUSTED_ORIGINS", "").split(",")
    if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "pipelines.portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pipelines.portal.middleware.UploadLimitMiddleware",  # before anything reads the body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "pipelines.portal.urls"
WSGI_APPLICATION = "pipelines.portal.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pipelines.portal.access.role_context",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{HOME / 'portal.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # two worker processes write the same file: wait for the lock instead of failing
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# django-axes: the tenth wrong password for an account locks it for an hour.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "password"]

OTP_TOTP_ISSUER = "Osservatorio Crema"

SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if _flag("OSSERVATORIO_PORTAL_HTTPS"):  # behind the Comune's TLS reverse proxy
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "it"
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True  # serve the package's static files without collectstatic

# Uploads: one monthly file, bounded; larger requests are refused before they are read.
PORTAL_MAX_UPLOAD_BYTES = int(
    float(os.environ.get("OSSERVATORIO_PORTAL_MAX_UPLOAD_MB", "") or 10) * 1024**2
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024**2
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# After an upload the worker records the file (ingest) and rebuilds the calendar (dbt) in a
# background thread; off in tests that only check pages.
PORTAL_AUTO_INGEST = os.environ.get("OSSERVATORIO_PORTAL_AUTO_INGEST", "1").strip() not in (
    "0",
    "false",
)
PORTAL_WARM = _flag("OSSERVATORIO_PORTAL_WARM")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # axes would name the account (an e-mail, often a person's name) on every failure
        "axes": {"level": "ERROR"},
        # not "pipelines": configuring it here would drop (unclosed) the workspace's log file
        # that pipelines.logs attached to it; the app sets its level (apps.py)
    },
}
# Lockout is per account (the contract: "lock the account"); by IP address as well would lock
# a whole partner office behind one address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
