"""Warm the validation: one tiny file through `evaluate`, so its libraries are imported and
its suites loaded before a partner waits for a verdict."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)


def warm_validation() -> float:
    from pipelines import settings as settings_mod
    from pipelines.ingestion.columns import TABLES
    from pipelines.ingestion.inbox import drop_of
    from pipelines.validation.evaluate import evaluate

    started = time.monotonic()
    settings = settings_mod.load()
    headers = [c.template_header for c in TABLES["interventi"]]
    with tempfile.TemporaryDirectory(prefix="osservatorio-warm-") as tmp:
        path = Path(tmp) / "warm.csv"
        path.write_text(
            ";".join(headers) + "\n" + ";".join("1" for _ in headers) + "\n", encoding="utf-8"
        )
        evaluate([drop_of(path, "P01", settings.start_period)], settings)
    seconds = time.monotonic() - started
    log.info("portal: validation warmed in %.1f s", seconds)
    return seconds
