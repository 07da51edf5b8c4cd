"""`python -m pipelines.portal.record [--build]`: what the portal's background run does, in
its own process at a lower priority so that partners' uploads keep the CPU: record the new
files of the inbox (`ingest`) and, when something changed (or `--build`), rebuild the
warehouse so the calendar shows it."""

from __future__ import annotations

import argparse
import logging
import os
import sys

log = logging.getLogger("pipelines.portal.record")


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(prog="python -m pipelines.portal.record")
    args.add_argument("--build", action="store_true", help="rebuild even if nothing is new")
    opts = args.parse_args(argv)
    os.nice(10)
    from pipelines import logs
    from pipelines import settings as settings_mod
    from pipelines.ingest import ingest
    from pipelines.warehouse.build import build_warehouse

    settings = settings_mod.load()
    logs.setup(settings.home / "logs")
    summary = ingest(settings)
    log.info("portal: recorded %d new files", summary.new)
    if summary.changed or opts.build:
        build_warehouse(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
