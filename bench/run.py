"""Run benchmark tiers: `python -m bench.run S M` (make bench) or `python -m bench.run L`;
`python -m bench.run --postgres M` puts the warehouse on a throw-away PostgreSQL 15 server
(tests/postgres.py, as `make test` starts it) through OSSERVATORIO_WAREHOUSE_URL.

For each tier: generate the inbox (cached in bench/.cache), parse it bare, ingest it, build
the warehouse, then add one more month and measure it against the full run. Prints the
figures with their goals and writes bench/results/<tier>.json (<tier>-postgres.json).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import resource
import shutil
import sys
import time
from pathlib import Path

from bench import evaluation
from bench.tiers import TIERS

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
RESULTS = ROOT / "results"
AS_OF = dt.date(2032, 1, 20)  # every generated month has ended and is due
# The evaluation marts (indicators.md, "Evaluation") and the models behind them.


def _peak_mb() -> dict[str, float]:
    """Peak resident memory of this process (reading, validation, loading) and of the largest
    child (a dbt build), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "peak_rss_mb": round(max(own, children), 1),
        "peak_rss_ingest_mb": round(own, 1),
        "peak_rss_build_mb": round(children, 1),
    }


def _inbox(tier: str, config) -> Path:
    """Generate once per configuration; reuse the cached inbox afterwards."""
    from pipelines.synthetic.generator import generate

    folder = CACHE / tier
    stamp = folder / "config.json"
    wanted = json.dumps(dataclasses.asdict(config), sort_keys=True)
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        generate(folder / "inbox", config, manifest_path=folder / "synthetic_manifest.json")
        print(f"[{tier}] generated in {time.perf_counter() - start:.0f} s")
        stamp.write_text(wanted)
    return folder / "inbox"


def _fresh_workspace(tier: str, inbox: Path) -> Path:
    home = CACHE / f"work-{tier}"
    if home.exists():
        for p in home.rglob("*"):
            if p.is_file():
                p.chmod(0o644)
        shutil.rmtree(home)
    (home / "inbox").mkdir(parents=True)
    for partner in inbox.iterdir():
        shutil.copytree(partner, home / "inbox" / partner.name, copy_function=os.link)
    return home


def run_tier(tier: str, warehouse_url: str | None = None) -> dict:
    from bench.parse import bare_parse
    from pipelines import settings as settings_mod
    from pipelines.ingest import ingest
    from pipelines.warehouse.build import build_warehouse

    config = TIERS[tier]
    inbox = _inbox(tier, config)
    files = sorted(p for p in inbox.rglob("*") if p.is_file())
    home = _fresh_workspace(tier, inbox)
    os.environ.update(
        {
            "OSSERVATORIO_HOME": str(home),
            "OSSERVATORIO_START": "2026-01",
            "OSSERVATORIO_END": "2031-12",
            "OSSERVATORIO_SECRET_KEY": "benchmark-key-not-a-secret",
        }
    )
    if warehouse_url:
        os.environ["OSSERVATORIO_WAREHOUSE_URL"] = warehouse_url
    settings = settings_mod.load(home)
    out: dict = {
        "tier": tier,
        "engine": "postgres" if warehouse_url else "duckdb",
        "files": len(files),
        "inbox_mb": round(sum(p.stat().st_size for p in files) / 1024**2, 1),
    }

    start = time.perf_counter()
    parsed = bare_parse(files)
    out["bare_parse_s"] = round(time.perf_counter() - start, 2)

    # Both the platform and the naive baseline are timed with Great Expectations already
    # imported (~6 s once per process, which would otherwise be charged to whichever runs first).
    start = time.perf_counter()
    import great_expectations  # noqa: F401

    out["gx_import_s"] = round(time.perf_counter() - start, 2)

    start = time.perf_counter()
    summary = ingest(settings)
    out["ingest_s"] = round(time.perf_counter() - start, 2)
    out["rows"] = summary.rows_accepted
    out["stages_s"] = summary.seconds
    out["rows_per_s"] = round(summary.rows_accepted / out["ingest_s"])
    out["ingest_vs_bare_parse"] = round(out["ingest_s"] / out["bare_parse_s"], 2)
    out["parsed_rows"] = parsed

    start = time.perf_counter()
    plan = build_warehouse(settings, as_of=AS_OF)
    out["build_s"] = round(time.perf_counter() - start, 2)
    out["build_full_refresh"] = plan.full_refresh
    out["evaluation_full_build"] = evaluation.seconds()
    out["full_s"] = round(out["ingest_s"] + out["build_s"], 2)
    out.update(_disclosure(settings))
    out.update(_nothing_new(settings, home))

    if tier in ("M", "L"):
        from pipelines.synthetic.generator import generate

        extra = dataclasses.replace(
            config, seed=config.seed + 1000, start_period="2031-01", months=1
        )
        generate(home / "inbox", extra, manifest_path=CACHE / f"extra-{tier}.json")
        start = time.perf_counter()
        added = ingest(settings)
        out["add_month_ingest_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        plan = build_warehouse(settings, as_of=AS_OF)
        out["add_month_build_s"] = round(time.perf_counter() - start, 2)
        out["add_month_recomputed_from"] = None if plan.full_refresh else plan.changed_from
        out["evaluation_added_month"] = evaluation.seconds()
        out["add_month_s"] = round(out["add_month_ingest_s"] + out["add_month_build_s"], 2)
        out["add_month_rows"] = added.rows_accepted
        # The goal: adding a month (its files and the build) against processing the whole
        # history from scratch (every file and a full build); the builds alone for reference.
        out["add_month_vs_full"] = round(out["add_month_s"] / out["full_s"], 3)
        out["add_month_build_vs_full_build"] = round(out["add_month_build_s"] / out["build_s"], 3)
        # What grows with the data: a month's share of the whole history, fixed costs apart.
        fixed = out["nothing_new_s"]
        out["add_month_marginal_vs_full"] = round(
            (out["add_month_s"] - fixed) / (out["full_s"] - fixed), 3
        )

    if tier == "S":
        from bench.baseline import naive_ingest

        start = time.perf_counter()
        naive_ingest(files, home / "naive.duckdb")
        out["naive_s"] = round(time.perf_counter() - start, 2)
        out["platform_vs_naive_speedup"] = round(out["naive_s"] / out["ingest_s"], 1)

    out.update(_peak_mb())
    out["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],  # a shared machine's noise
    }
    out["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return out


def _nothing_new(settings, home: Path) -> dict:  # type: ignore[no-untyped-def]
    """A run with nothing new after the full one: ingest and build in this process, and
    `osservatorio ingest` as a process of its own (its start and imports included)."""
    import subprocess

    from pipelines.ingest import ingest
    from pipelines.warehouse.build import build_warehouse

    start = time.perf_counter()
    ingest(settings)
    ingest_s = time.perf_counter() - start
    start = time.perf_counter()
    plan = build_warehouse(settings, as_of=AS_OF)
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "ingest"],
        check=True,
        capture_output=True,
        env={**os.environ, "OSSERVATORIO_HOME": str(home)},
    )
    return {
        "nothing_new_ingest_s": round(ingest_s, 2),
        "nothing_new_build_s": round(build_s, 2),
        "nothing_new_s": round(ingest_s + build_s, 2),
        "nothing_new_build_up_to_date": plan.up_to_date,
        "nothing_new_ingest_process_s": round(time.perf_counter() - start, 2),
    }


def _disclosure(settings) -> dict:  # type: ignore[no-untyped-def]
    """The last build's disclosure control (meta.disclosure_audits): suppressions and time."""
    from pipelines.warehouse import engine

    con = engine.connect(settings)
    try:
        cells, primary, secondary, recoverable, choose_s, audit_s = con.execute(
            "select cells, primary_suppressed, secondary_suppressed, recoverable, "
            "suppression_seconds, audit_seconds from meta.disclosure_audits "
            "order by audited_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    return {
        "published_cells": cells,
        "primary_suppressed": primary,
        "secondary_suppressed": secondary,
        "recoverable": recoverable,
        "secondary_suppression_s": round(choose_s, 2),
        "audit_s": round(audit_s, 2),
        "secondary_vs_primary": round(secondary / primary, 3) if primary else 0.0,
    }


GOALS = [
    ("ingest_vs_bare_parse", "ingest / bare parse", "<= 2.0", lambda v: v <= 2.0),
    ("platform_vs_naive_speedup", "platform speed-up over naive (S)", ">= 10", lambda v: v >= 10),
    (
        "add_month_vs_full",
        "add one month / full run (files and build)",
        "<= 0.15",
        lambda v: v <= 0.15,
    ),
    ("nothing_new_s", "a run with nothing new (ingest + build)", "<= 5 s", lambda v: v <= 5),
    (
        "add_month_marginal_vs_full",
        "(one more month - fixed) / (full - fixed)",
        "<= 0.05",
        lambda v: v <= 0.05,
    ),
    ("peak_rss_mb", "peak memory (MB)", "< 4096 (tier L)", lambda v: v < 4096),
]


def report(result: dict) -> None:
    print(
        f"\n== tier {result['tier']} on {result.get('engine', 'duckdb')}: {result['files']} files, {result.get('rows', 0):,} rows, "
        f"{result['inbox_mb']} MB; load average {result['machine']['load_avg_1_5_15']}"
    )
    print(
        f"   bare parse {result['bare_parse_s']} s · GX import {result.get('gx_import_s')} s · "
        f"ingest {result['ingest_s']} s "
        f"({result['rows_per_s']:,} rows/s) · build {result['build_s']} s"
    )
    print(f"   ingest stages (s): {result['stages_s']}")
    if "add_month_s" in result:
        print(
            f"   add one month: {result['add_month_s']} s for {result['add_month_rows']:,} rows "
            f"(ingest {result['add_month_ingest_s']} s, incremental build "
            f"{result['add_month_build_s']} s from {result['add_month_recomputed_from']}; "
            f"build alone {result['add_month_build_vs_full_build']} of the full build)"
        )
    if "nothing_new_s" in result:
        print(
            f"   nothing new: ingest {result['nothing_new_ingest_s']} s + build "
            f"{result['nothing_new_build_s']} s (nothing to build: "
            f"{result['nothing_new_build_up_to_date']}); `osservatorio ingest` as a process "
            f"{result['nothing_new_ingest_process_s']} s"
        )
    if "naive_s" in result:
        print(f"   naive baseline: {result['naive_s']} s")
    for key, label in (
        ("evaluation_full_build", "full build"),
        ("evaluation_added_month", "added month"),
    ):
        if key in result:
            e = result[key]
            print(
                f"   evaluation tables in the {label}: {e['evaluation_s']} s of dbt's "
                f"{e['dbt_elapsed_s']} s"
            )
    if "published_cells" in result:
        share = (result["secondary_suppression_s"] + result["audit_s"]) / result["build_s"]
        print(
            f"   disclosure control: {result['published_cells']:,} published cells, "
            f"{result['primary_suppressed']:,} primary and {result['secondary_suppressed']:,} "
            f"secondary suppressions ({result['secondary_vs_primary']} per primary; goal < 1), "
            f"{result['recoverable']} recoverable; secondary suppression "
            f"{result['secondary_suppression_s']} s, audit {result['audit_s']} s = "
            f"{share:.0%} of the build (goal: the audit under 20 %)"
        )
    if "peak_rss_ingest_mb" in result:
        print(
            f"   peak memory: ingest process {result['peak_rss_ingest_mb']:,} MB, "
            f"dbt build {result['peak_rss_build_mb']:,} MB"
        )
    _beside_duckdb(result)
    for key, label, goal, ok in GOALS:
        if key in result:
            print(
                f"   {label}: {result[key]} (goal {goal}) {'met' if ok(result[key]) else 'NOT met'}"
            )


def _beside_duckdb(result: dict) -> None:
    """A PostgreSQL run's figures beside the same tier's last run on DuckDB (<tier>.json)."""
    duckdb_run = RESULTS / f"{result['tier']}.json"
    if result.get("engine") != "postgres" or not duckdb_run.exists():
        return
    other = json.loads(duckdb_run.read_text())
    print(f"   PostgreSQL beside DuckDB (DuckDB measured {other.get('measured_at', '?')}):")
    for key, label in (
        ("ingest_s", "ingest"),
        ("build_s", "full build"),
        ("add_month_ingest_s", "added month: ingest"),
        ("add_month_build_s", "added month: build"),
        ("nothing_new_s", "nothing new"),
    ):
        if key in result and key in other:
            print(f"     {label}: {result[key]} s on PostgreSQL, {other[key]} s on DuckDB")


def main(argv: list[str]) -> int:
    postgres = "--postgres" in argv
    tiers = [a for a in argv if a != "--postgres"] or ["S", "M"]
    RESULTS.mkdir(exist_ok=True)
    for tier in tiers:
        if tier not in TIERS:
            print(f"unknown tier {tier}; choose from {', '.join(TIERS)}", file=sys.stderr)
            return 2
        # Each tier in its own process: peak memory is then the tier's own.
        if len(tiers) > 1:
            import subprocess

            command = [
                sys.executable,
                "-m",
                "bench.run",
                *(["--postgres"] if postgres else []),
                tier,
            ]
            code = subprocess.run(command, check=False).returncode
            if code:
                return code
            continue
        if postgres:
            from tests.postgres import throwaway_server

            # a server sized for the machine (24 GB): a quarter of the memory for its cache
            with throwaway_server("-c shared_buffers=4GB -c effective_cache_size=12GB") as server:
                result = run_tier(tier, server.create_database("bench"))
            name = f"{tier}-postgres"
        else:
            result, name = run_tier(tier), tier
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
