"""The partner's pre-check (`osservatorio check`), cold or warm.

`run` validates one file as ingestion would and returns the exit status and the text `check`
prints. `serve` keeps a process with the validation loaded, answering over a unix socket in
the workspace (`.check.sock`, the owner's only); `ask` is what `check` tries first, and it
falls back to `run` in its own process whenever no server answers or the server's settings,
seeds or suites are not the caller's: the answer is the same text either way.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import tempfile
from pathlib import Path
from typing import Any

from pipelines.settings import Settings

SOCKET_NAME = ".check.sock"
_MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to about 108 bytes
_ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


def socket_path(home: Path) -> Path | None:
    path = home / SOCKET_NAME
    return path if len(os.fsencode(path)) <= _MAX_SOCKET_PATH else None


def context_key(settings: Settings) -> list[Any]:
    """What a verdict depends on besides the file: the settings `evaluate` reads, and the
    seeds and suites as they are on disk now (a server started before an edit is not asked)."""
    stamps = [
        [p.name, p.stat().st_size, p.stat().st_mtime_ns]
        for folder in (_ROOT / "seeds", _ROOT / "expectations")
        for p in sorted(folder.glob("*"))
        if p.is_file()
    ]
    return [
        str(settings.home),
        settings.start_period,
        settings.end_period,
        settings.due_day,
        settings.max_file_bytes,
        settings.precheck_engine,
        stamps,
    ]


def check_text(verdict) -> str:  # type: ignore[no-untyped-def]
    """The pre-check as a volunteer reads it: Italian, rows and columns, no rule ids."""
    from pipelines.validation.evaluate import VERDICT_IT
    from pipelines.validation.feedback import counts_it, month_it

    d = verdict.drop
    lines = [
        f"File {d.name} · ente {d.partner} · mese {month_it(d.period)}",
        f"Esito: {VERDICT_IT[verdict.status].upper()} ({counts_it(verdict)}; "
        f"errori {verdict.errors}, avvisi {verdict.warnings})",
    ]
    for i in verdict.issues:
        where = f"foglio {i.sheet}, " if i.sheet else ""
        where += f"riga {i.row}, " if i.row is not None else ""
        where += f"colonna '{i.column}'" if i.column else "intero file"
        kind = "ERRORE" if i.severity == "error" else "avviso"
        lines.append(
            f"- {kind} · {where}: {i.message}"
            + (f" Cosa serve: {i.expected}." if i.expected else "")
        )
    return "\n".join(lines)


def run(path: Path, partner: str, period: str, fmt: str, settings: Settings) -> tuple[int, str]:
    """The exit status and the text of `check`."""
    from pipelines.ingestion.inbox import drop_of
    from pipelines.validation.evaluate import REJECTED, evaluate

    verdict = evaluate(
        [drop_of(path, partner, period)],
        settings,
        engine=settings.precheck_engine,  # type: ignore[arg-type]
    )[0]
    if fmt == "json":
        text = json.dumps(verdict.as_json(), ensure_ascii=False, indent=2)
    else:
        text = check_text(verdict)
    return (1 if verdict.status == REJECTED else 0), text


def _receive(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def ask(
    path: Path, partner: str, period: str, fmt: str, settings: Settings, timeout: float = 60.0
) -> tuple[int, str] | None:
    """The warm server's answer, or None when there is none to be had."""
    where = socket_path(settings.home)
    if where is None or not where.exists():
        return None
    request = {
        "file": str(path.resolve()),
        "partner": partner,
        "period": period,
        "format": fmt,
        "context": context_key(settings),
    }
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(where))
            conn.sendall(json.dumps(request).encode() + b"\n")
            conn.shutdown(socket.SHUT_WR)
            answer = json.loads(_receive(conn))
    except (OSError, ValueError):
        return None
    if not isinstance(answer, dict) or "status" not in answer:
        return None  # refused: another context, or the check failed (the cold run says why)
    return int(answer["status"]), str(answer["output"])


def _answer(request: dict[str, Any], settings: Settings, key: list[Any]) -> dict[str, Any]:
    if request.get("context") != json.loads(json.dumps(key)):
        return {"refused": "another workspace, settings, seeds or suites"}
    path = Path(request["file"])
    if not path.is_file():
        return {"refused": "no such file"}
    try:
        status, output = run(
            path, request["partner"], request["period"], request["format"], settings
        )
    except Exception:  # the caller's own run reports it as `check` does
        log.exception("pre-check of %s failed", path)
        return {"refused": "the check failed"}
    return {"status": status, "output": output}


def _warm(settings: Settings) -> None:
    from pipelines.ingestion.columns import TABLES

    headers = [c.template_header for c in TABLES["interventi"]]
    with tempfile.TemporaryDirectory(prefix="osservatorio-warm-") as tmp:
        path = Path(tmp) / "warm.csv"
        path.write_text(
            ";".join(headers) + "\n" + ";".join("1" for _ in headers) + "\n", encoding="utf-8"
        )
        run(path, "P01", settings.start_period, "json", settings)


class AlreadyServing(RuntimeError):
    """Another process answers on the workspace's socket."""


def _bind(where: Path) -> socket.socket:
    if where.exists():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(where))
        except OSError:
            where.unlink()  # left by a process that is gone
        else:
            raise AlreadyServing(f"a pre-check server already answers on {where}")
        finally:
            probe.close()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # the socket is the owner's only from its creation
    try:
        server.bind(str(where))
    finally:
        os.umask(old)
    os.chmod(where, stat.S_IRUSR | stat.S_IWUSR)
    server.listen(16)
    return server


def serve(settings: Settings, ready=None) -> None:  # type: ignore[no-untyped-def]
    """Answer pre-checks, one at a time, until interrupted; `ready()` once listening."""
    where = socket_path(settings.home)
    if where is None:
        raise OSError(f"the workspace's path is too long for a socket: {settings.home}")
    settings.home.mkdir(parents=True, exist_ok=True)
    _warm(settings)
    key = context_key(settings)
    server = _bind(where)
    try:
        if ready is not None:
            ready()
        while True:
            conn, _ = server.accept()
            with conn:
                try:
                    conn.settimeout(60)
                    request = json.loads(_receive_line(conn))
                    reply = _answer(request, settings, key)
                except (OSError, ValueError, KeyError, TypeError):
                    continue  # a broken request: the caller falls back to its own run
                try:
                    conn.sendall(json.dumps(reply, ensure_ascii=False).encode())
                except OSError:
                    continue
    finally:
        server.close()
        where.unlink(missing_ok=True)


def _receive_line(conn: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0]
