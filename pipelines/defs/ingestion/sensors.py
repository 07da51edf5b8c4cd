"""The inbox sensor: one run for all new files; run keys from partner, period and content."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from pipelines import settings as settings_mod
from pipelines.defs.warehouse.jobs import ingest_and_build_job
from pipelines.ingestion.inbox import scan
from pipelines.warehouse.published import known_to_analysts
from pipelines.workspace import Workspace

# A partner waits for the sensor's tick before anything else: every 5 s costs a scan of the
# inbox (only new or changed files are hashed, .inbox-hashes.json) and a look at the
# published copy.
INBOX_INTERVAL_SECONDS = 5


def new_keys(inbox_keys: list[str], cursor: str | None) -> tuple[list[str], str]:
    """Keys not requested before, and the cursor that remembers them all."""
    seen = set(json.loads(cursor)) if cursor else set()
    fresh = sorted(set(inbox_keys) - seen)
    return fresh, json.dumps(sorted(seen | set(inbox_keys)))


def run_key(keys: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:32]


def run_tags(inbox: int, fresh: list[str], known: set[str], to_apply: int) -> dict[str, str]:
    """What the run is for: files never recorded (not in the published copy), the inbox's
    size, and held files of reopened months waiting to be applied."""
    return {
        "new_files": str(len([k for k in fresh if k not in known])),
        "inbox_files": str(inbox),
        "held_files_to_apply": str(to_apply),
    }


@dg.sensor(
    job=ingest_and_build_job,
    minimum_interval_seconds=INBOX_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches inbox/<PARTNER>/<YYYY-MM>/ and ingests new files in one run; "
    "also runs when a reopened month has held files to apply.",
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    # The sensor never opens the warehouse (a reader would block the writer): it remembers
    # the (partner, period, sha256) keys it has asked for, and reads the published copy to
    # tell files actually new from files already recorded; the run skips known files anyway.
    ws = Workspace(settings_mod.load().home)
    keys = [d.key for d in scan(ws.inbox, ws.inbox_hashes)]
    fresh, cursor = new_keys(keys, context.cursor)
    known, to_apply = known_to_analysts(ws)
    actually_new = [k for k in fresh if k not in known]
    context.update_cursor(cursor)
    if not actually_new and not to_apply:
        return dg.SkipReason(f"no new files among {len(keys)} in the inbox")
    request_keys = actually_new + [f"apply|{k}" for k in sorted(to_apply)]
    return dg.RunRequest(
        run_key=run_key(request_keys), tags=run_tags(len(keys), fresh, known, len(to_apply))
    )
