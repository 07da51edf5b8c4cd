"""Drop -> feedback in the running deployment: `python -m bench.drop`.

Starts the deployment as `make dev` does (`osservatorio check --serve` beside `dg dev`: the
Dagster webserver, the daemon with the inbox sensor, the code server) on a fresh workspace
and Dagster home, then drops partners' files into the inbox, a partner's month at a time, as a partner's
upload or a shared folder would, and times for each:
- until its feedback exists (outbox/<partner>/<month>/esito_*.json);
- until the month's indicators are rebuilt (the published copy of the warehouse replaced).
Prints the medians and the slowest of 10 drops (goal: feedback within 10 s), the machine's
load, and writes bench/results/drop.json.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
DROPS = 10
PERIOD = "2026-03"
WAIT_S = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _deliveries(folder: Path) -> list[list[Path]]:
    """Each partner's files for the month (a workbook, or the two CSV files), as the
    synthetic generator writes them."""
    from pipelines.synthetic.generator import GeneratorConfig, generate

    generate(
        folder,
        GeneratorConfig(
            seed=11,
            partners=DROPS + 1,
            start_period=PERIOD,
            months=1,
            rows_per_file=120,
            error_rate=0,
            warning_rate=0,
            unreadable_rate=0,
            correction_rate=0,
            late_rate=0,
            missing_rate=0,
        ),
    )
    return [
        sorted(p for p in partner.rglob("*") if p.is_file())
        for partner in sorted(p for p in folder.iterdir() if p.is_dir())
    ]


def _drop(files: list[Path], generated: Path, inbox: Path) -> str:
    """Into inbox/<partner>/<month>/, each file whole (written beside, then renamed); returns
    the partner."""
    for source in files:
        target = inbox / source.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name("." + target.name + ".part")
        shutil.copyfile(source, part)
        os.replace(part, target)
    return files[0].relative_to(generated).parts[0]


def _answered(outbox: Path, partner: str, files: int) -> bool:
    """Every dropped file has its feedback."""
    return len(list((outbox / partner / PERIOD).glob("esito_*.json"))) >= files


def _wait(condition, what: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > WAIT_S:
            raise TimeoutError(f"{what}: nothing after {WAIT_S} s")
        time.sleep(0.1)
    return time.perf_counter() - start


def _published_mtime(published: Path) -> float:
    return published.stat().st_mtime if published.exists() else 0.0


def _timeline(dagster_home: Path, dropped_at: list[float]) -> dict[str, object]:
    """From the Dagster history of the timed drops' runs (one each, the last ones): the
    medians of the drop to its run's creation (the sensor's tick, and its ingestion when the
    sensor ingested the drop itself), the run's creation to its start (the queue and the
    run's own process, which loads the code location), the run itself and, for a run that
    ingests (`ingest_and_build`), its start to the ingestion step and the step itself."""
    import dagster as dg

    kinds = (dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS)
    parts: dict[str, list[float]] = {
        "drop_to_created": [],
        "created_to_started": [],
        "run": [],
        "started_to_ingest": [],
        "ingest_step": [],
    }
    jobs: list[str] = []
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        records = sorted(
            (
                r
                for r in instance.get_run_records()
                if r.dagster_run.tags.get("dagster/sensor_name") == "inbox_sensor"
            ),
            key=lambda r: r.create_timestamp.timestamp(),
        )  # the inbox sensor's runs: one per drop, since each drop waits for the last build
        for r, dropped in zip(records[-len(dropped_at) :], dropped_at, strict=False):
            if r.start_time is None:
                continue
            jobs.append(r.dagster_run.job_name)
            created = r.create_timestamp.timestamp()
            parts["drop_to_created"].append(created - dropped)
            parts["created_to_started"].append(r.start_time - created)
            if r.end_time is not None:
                parts["run"].append(r.end_time - r.start_time)
            steps = {
                e.dagster_event_type: e.timestamp
                for e in instance.all_logs(r.dagster_run.run_id)
                if e.step_key == "raw_tables" and e.dagster_event_type in kinds
            }
            if len(steps) == 2:
                parts["started_to_ingest"].append(steps[kinds[0]] - r.start_time)
                parts["ingest_step"].append(steps[kinds[1]] - steps[kinds[0]])
    out: dict = {k: round(statistics.median(v), 2) for k, v in parts.items() if v}
    out["jobs"] = {j: jobs.count(j) for j in sorted(set(jobs))}
    return out


def main() -> int:
    # stopped from outside, the deployment is stopped too (the `finally` below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="bench-drop-", dir="/tmp") as tmp:
        folder = Path(tmp)
        generated = folder / "generated"
        deliveries = _deliveries(generated)
        home, dagster_home = folder / "ws", folder / "dagster_home"
        dagster_home.mkdir()
        shutil.copy(ROOT / "dagster_home" / "dagster.yaml", dagster_home / "dagster.yaml")
        env = {
            **os.environ,
            "OSSERVATORIO_HOME": str(home),
            "OSSERVATORIO_START": PERIOD,
            "OSSERVATORIO_END": PERIOD,
            "OSSERVATORIO_SECRET_KEY": "benchmark-key-not-a-secret",
            "DAGSTER_HOME": str(dagster_home),
        }
        env.pop("OSSERVATORIO_DAGSTER_PG_URL", None)
        from pipelines import settings as settings_mod
        from pipelines.workspace import Workspace

        os.environ["OSSERVATORIO_HOME"] = str(home)
        ws = Workspace(settings_mod.load(home).home).ensure()
        bin_dir = Path(sys.executable).parent
        port = _free_port()
        check = subprocess.Popen([str(bin_dir / "osservatorio"), "check", "--serve"], env=env)
        dev = subprocess.Popen(
            [str(bin_dir / "dg"), "dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started = time.perf_counter()
        try:

            def up() -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                        return True
                except OSError:
                    return False

            _wait(up, "the webserver")
            startup = time.perf_counter() - started
            # A first file warms what a deployment has warm (the first build creates the
            # warehouse); it is not counted.
            first, *timed = deliveries
            partner = _drop(first, generated, ws.inbox)
            _wait(lambda: _answered(ws.outbox, partner, len(first)), "the first delivery")
            _wait(lambda: _published_mtime(ws.published / "warehouse.duckdb") > 0, "first build")
            feedback, rebuilt, dropped_at = [], [], []
            for delivery in timed:
                before = _published_mtime(ws.published / "warehouse.duckdb")
                t0 = time.perf_counter()
                dropped_at.append(time.time())
                partner, count = _drop(delivery, generated, ws.inbox), len(delivery)
                feedback.append(
                    _wait(lambda p=partner, n=count: _answered(ws.outbox, p, n), partner)
                )
                _wait(
                    lambda b=before: _published_mtime(ws.published / "warehouse.duckdb") > b,
                    f"{partner}'s build",
                )
                rebuilt.append(time.perf_counter() - t0)
            timeline = _timeline(dagster_home, dropped_at)
        finally:
            os.killpg(dev.pid, signal.SIGTERM)
            check.send_signal(signal.SIGTERM)
            for proc in (dev, check):
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
    out = {
        "drops": len(feedback),
        "startup_s": round(startup, 1),
        "feedback_median_s": round(statistics.median(feedback), 2),
        "feedback_max_s": round(max(feedback), 2),
        "rebuilt_median_s": round(statistics.median(rebuilt), 2),
        "rebuilt_max_s": round(max(rebuilt), 2),
        "feedback_s": [round(x, 2) for x in feedback],
        "rebuilt_s": [round(x, 2) for x in rebuilt],
        "timeline_median_s": timeline,
        "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "drop.json").write_text(json.dumps(out, indent=2) + "\n")
    goal = "met" if statistics.median(feedback) <= 10 else "NOT met"
    print(
        f"deployment as `make dev` runs it (up in {out['startup_s']} s), {out['drops']} drops:\n"
        f"  drop -> feedback: median {out['feedback_median_s']} s, slowest "
        f"{out['feedback_max_s']} s (goal <= 10 s) {goal}\n"
        f"  drop -> the month's indicators rebuilt and published: median "
        f"{out['rebuilt_median_s']} s, slowest {out['rebuilt_max_s']} s\n"
        f"  where a drop's time goes (medians from the runs' history, s): {timeline}\n"
        f"  load average {out['load_avg_1_5_15']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
