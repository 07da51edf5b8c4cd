"""Print an HTML file to PDF with headless Chromium (Debian's `chromium`), offline."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# No sandbox, GPU, network chatter or first-run UI: servers and CI without a display.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class PdfError(RuntimeError):
    """Chromium is missing or did not write the PDF."""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "the PDF needs Chromium, which is not installed here (`make system-deps` installs it)"
    )


def print_to_pdf(html: Path, out: Path, timeout: int = 120) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="osservatorio-chromium-") as profile:
        cmd = [
            chromium(),
            *FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise PdfError(f"chromium could not print {html}: {done.stderr[-2000:]}")
    return out
