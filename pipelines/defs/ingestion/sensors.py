"""The inbox sensor: a drop of a few files is ingested by the sensor itself, in the code
server's warm process, so that the partner's feedback is written within the tick; then one
run builds the warehouse (`update_warehouse`). A backlog, a busy warehouse or a failure gets
one run for all new files (`ingest_and_build`), as `osservatorio ingest` would. Run keys come
from partner, period and content."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from pipelines import settings as settings_mod
from pipelines.defs.ingestion import assets
from pipelines.defs.warehouse.jobs import ingest_and_build_job, update_warehouse_job
from pipelines.ingest import IngestSummary, ingest
from pipelines.ingestion.inbox import scan
from pipelines.warehouse.published import known_to_analysts
from pipelines.workspace import Workspace

# A partner waits for the sensor's tick before anything else: every 5 s costs a scan of the
# inbox (only new or changed files are hashed, .inbox-hashes.json) and a look at the
# published copy.
INBOX_INTERVAL_SECONDS = 5
# Up to this many new files (and held files to apply), of at most this many bytes together,
# are ingested by the sensor itself: a partner's drop takes a second or two, well within a
# tick's time limit (60 s); more go to a run.
INLINE_FILES = 5
INLINE_BYTES = 8 * 1024**2


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


def _ingest_here(context: dg.SensorEvaluationContext) -> IngestSummary | None:
    """`ingest` in this process if the warehouse is free at once; None otherwise (another
    writer holds it, or the ingestion failed: a run then does it, and fails where everyone
    sees it)."""
    try:
        return ingest(settings_mod.load(), wait_seconds=0)
    except TimeoutError:
        context.log.info("the warehouse is busy: the files go to a run")
    except Exception as exc:  # the run shows the failure (and alerts the steward)
        context.log.warning(f"ingesting in the sensor failed ({type(exc).__name__}): a run")
    return None


@dg.sensor(
    jobs=[ingest_and_build_job, update_warehouse_job],
    minimum_interval_seconds=INBOX_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches inbox/<PARTNER>/<YYYY-MM>/: ingests a drop of a few new files itself "
    "(the feedback at once), then builds in a run; a backlog is ingested in one run. Also runs "
    "when a reopened month has held files to apply.",
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    # The sensor never opens the warehouse to look (a reader would block the writer): it
    # remembers the (partner, period, sha256) keys it has asked for, and reads the published
    # copy to tell files actually new from files already recorded; ingestion skips known
    # files anyway.
    ws = Workspace(settings_mod.load().home)
    drops = scan(ws.inbox, ws.inbox_hashes)
    keys = [d.key for d in drops]
    fresh, cursor = new_keys(keys, context.cursor)
    known, to_apply = known_to_analysts(ws)
    actually_new = [k for k in fresh if k not in known]
    context.update_cursor(cursor)
    if not actually_new and not to_apply:
        return dg.SkipReason(f"no new files among {len(keys)} in the inbox")
    request_keys = actually_new + [f"apply|{k}" for k in sorted(to_apply)]
    tags = run_tags(len(keys), fresh, known, len(to_apply))
    waiting = set(actually_new)
    size = sum(d.size for d in drops if d.key in waiting)
    small = len(request_keys) <= INLINE_FILES and size <= INLINE_BYTES
    if small and (summary := _ingest_here(context)) is not None:
        assets.log_summary(context.log, summary)
        events: list = [assets.files_check_evaluation(summary)]
        if summary.changed:
            meta = assets.materialization_metadata(summary)
            events[:0] = [
                dg.AssetMaterialization(["raw", t], metadata=meta) for t in assets.RAW_TABLES
            ]
        # The files not yet in the published copy are built, even when this tick recorded
        # nothing (an earlier ingestion recorded them, and its build did not follow).
        build = dg.RunRequest(
            run_key=run_key(request_keys),
            job_name=update_warehouse_job.name,
            tags={**tags, **assets.run_tags(summary)},
        )
        return dg.SensorResult(run_requests=[build], asset_events=events)
    return dg.RunRequest(
        run_key=run_key(request_keys), job_name=ingest_and_build_job.name, tags=tags
    )
