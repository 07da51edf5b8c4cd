"""Settings from the environment (a `.env` file may set them). Secrets never print."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from pipelines import period, reference
from pipelines.period import PERIOD_RE


class SettingsError(Exception):
    """A setting is missing or wrong: the message says which, in English, for operators."""


class Secret:
    """A value that shows as *** in reprs, logs and run records."""

    def __init__(self, value: bytes) -> None:
        self._value = value

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


class DatabaseUrl:
    """A PostgreSQL URL: it holds a password, so it shows with `***` in its place."""

    SCHEMES = ("postgresql", "postgres")

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def password(self) -> str | None:
        password = urlsplit(self._value).password
        return unquote(password) if password else None

    def masked(self) -> str:
        """The URL with its password as `***`, for messages and logs."""
        return mask(self._value, self.password)

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.masked()!r})"

    __str__ = __repr__


def mask(text: str, password: str | None) -> str:
    """`text` with `password` (as given or as a URL writes it) replaced by `***`."""
    if not password:
        return text
    for form in {password, quote(password, safe=""), quote(password)}:
        text = text.replace(form, "***")
    return text


@dataclass(frozen=True)
class Settings:
    home: Path
    start_period: str
    end_period: str
    due_day: int
    timezone: str
    max_file_bytes: int
    secret_key: Secret | None = field(default=None, repr=False)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_user: str | None = None
    smtp_password: Secret | None = field(default=None, repr=False)
    mail_from: str = "osservatorio@localhost"
    steward_email: str | None = None
    # who runs the GX suites of expectations/ (OSSERVATORIO_SUITES_ENGINE): "pandas"
    # (validation/rowwise.py: the same findings in the same order, which a test holds to GX's
    # on every corpus file, without GX's import of about 6 s and its second or so a pass) or
    # "gx" (Great Expectations itself). Unchosen, everything runs pandas, so a partner's feedback
    # does not wait for GX's import in a run's fresh process; GX stays the reference, and
    # decides what rowwise cannot (`rowwise.supported`).
    suites_engine: str | None = None
    # worker processes that read a backlog's files and annotate its workbooks
    # (OSSERVATORIO_WORKERS, default: one per core; 1: everything in the ingesting process)
    workers: int | None = None
    # the warehouse on PostgreSQL (OSSERVATORIO_WAREHOUSE_URL); None: the workspace's DuckDB file
    warehouse_url: DatabaseUrl | None = field(default=None, repr=False)
    # the password of the analysts' role `osservatorio_reader` (OSSERVATORIO_READER_PASSWORD)
    reader_password: Secret | None = field(default=None, repr=False)

    @property
    def recording_engine(self) -> str:
        return self.suites_engine or "pandas"

    @property
    def precheck_engine(self) -> str:
        return self.suites_engine or "pandas"

    def require_key(self) -> bytes:
        if self.secret_key is None:
            raise SettingsError(
                "No pseudonymisation key: set OSSERVATORIO_SECRET_KEY or "
                "OSSERVATORIO_SECRET_KEY_FILE (a file holding the key). "
                "Refusing to process personal data without it."
            )
        return self.secret_key.reveal()


def _period(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    if not PERIOD_RE.match(value):
        raise SettingsError(f"{name} must be YYYY-MM, got {value!r}")
    return value


def _load_key() -> Secret | None:
    value = os.environ.get("OSSERVATORIO_SECRET_KEY", "").strip()
    if value:
        return Secret(value.encode())
    key_file = os.environ.get("OSSERVATORIO_SECRET_KEY_FILE", "").strip()
    if key_file:
        path = Path(key_file)
        if not path.is_file():
            raise SettingsError(f"OSSERVATORIO_SECRET_KEY_FILE names {path}, which does not exist")
        data = path.read_bytes().strip()
        if not data:
            raise SettingsError(f"the key file {path} is empty")
        return Secret(data)
    return None


def _warehouse_url() -> DatabaseUrl | None:
    """OSSERVATORIO_WAREHOUSE_URL, checked without ever echoing it (it holds a password)."""
    value = os.environ.get("OSSERVATORIO_WAREHOUSE_URL", "").strip()
    if not value:
        return None
    wanted = "OSSERVATORIO_WAREHOUSE_URL must be postgresql://USER:PASSWORD@HOST:PORT/DB"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise SettingsError(f"{wanted}: its host or port cannot be read") from None
    if parts.scheme not in DatabaseUrl.SCHEMES:
        scheme = f"{parts.scheme!r}" if parts.scheme.isalnum() else "none"
        raise SettingsError(f"{wanted} (only PostgreSQL is supported); its scheme is {scheme}")
    if not parts.hostname or not parts.path.strip("/"):
        raise SettingsError(f"{wanted}: the host or the database name is missing")
    return DatabaseUrl(value)


def load(home: Path | None = None) -> Settings:
    try:
        from dotenv import load_dotenv

        load_dotenv(override=False)
    except ImportError:  # pragma: no cover - python-dotenv is a dependency
        pass
    cal = reference.calendar_settings()
    start = _period("OSSERVATORIO_START", cal["start_period"])
    end = _period("OSSERVATORIO_END", cal["end_period"])
    if end < start:
        raise SettingsError(f"OSSERVATORIO_END ({end}) is before OSSERVATORIO_START ({start})")
    port = os.environ.get("OSSERVATORIO_SMTP_PORT", "").strip()
    security = os.environ.get("OSSERVATORIO_SMTP_SECURITY", "").strip().lower() or "none"
    if security not in ("starttls", "ssl", "none"):
        raise SettingsError("OSSERVATORIO_SMTP_SECURITY must be starttls, ssl or none")
    password = os.environ.get("OSSERVATORIO_SMTP_PASSWORD")
    engine = os.environ.get("OSSERVATORIO_SUITES_ENGINE", "").strip().lower() or None
    if engine not in (None, "pandas", "gx"):
        raise SettingsError("OSSERVATORIO_SUITES_ENGINE must be pandas or gx")
    reader = os.environ.get("OSSERVATORIO_READER_PASSWORD")
    workers = os.environ.get("OSSERVATORIO_WORKERS", "").strip()
    if workers and not (workers.isdigit() and int(workers) >= 1):
        raise SettingsError("OSSERVATORIO_WORKERS must be a whole number of processes, 1 or more")
    return Settings(
        home=(home or Path(os.environ.get("OSSERVATORIO_HOME", "") or "data")).resolve(),
        start_period=start,
        end_period=end,
        due_day=period.due_day(),
        timezone=cal["timezone"],
        max_file_bytes=int(float(os.environ.get("OSSERVATORIO_MAX_FILE_MB", "") or 50) * 1024**2),
        secret_key=_load_key(),
        smtp_host=os.environ.get("OSSERVATORIO_SMTP_HOST") or None,
        smtp_port=int(port)
        if port
        else (465 if security == "ssl" else 587 if security == "starttls" else 25),
        smtp_security=security,
        smtp_user=os.environ.get("OSSERVATORIO_SMTP_USER") or None,
        smtp_password=Secret(password.encode()) if password else None,
        mail_from=os.environ.get("OSSERVATORIO_MAIL_FROM") or "osservatorio@localhost",
        steward_email=os.environ.get("OSSERVATORIO_STEWARD_EMAIL") or None,
        suites_engine=engine,
        workers=int(workers) if workers else None,
        warehouse_url=_warehouse_url(),
        reader_password=Secret(reader.encode()) if reader else None,
    )
