"""The build plan as a pure function of its facts, and the dbt arguments it leads to."""

from __future__ import annotations

import json

from pipelines.warehouse.dbt import build_args, dbt_env
from pipelines.warehouse.plan import LastBuild, decide

FACTS = dict(
    start_period="2026-01",
    last="2026-05",
    fingerprint="abc",
    previous=LastBuild("abc", "2026-05"),
    first_changed=None,
    submission_ids=("s1", "s2"),
)


def plan(**over):  # type: ignore[no-untyped-def]
    return decide(**{**FACTS, **over})


def test_first_build_and_changed_project_rebuild_everything() -> None:
    assert plan(previous=None).full_refresh
    assert plan(previous=None).changed_from == "2026-01"
    assert plan(previous=LastBuild("old", "2026-05")).full_refresh
    assert plan(full_refresh=True).reason == "a full rebuild was asked for"


def test_a_build_date_before_the_last_build_rebuilds_everything() -> None:
    assert plan(last="2026-04").full_refresh


def test_nothing_new_recomputes_no_month() -> None:
    p = plan()
    assert not p.full_refresh and p.changed_from == "2026-06" and p.changed_from > p.last_period
    assert dbt_env(plan=p)["OSSERVATORIO_CHANGED_FROM"] == "2026-06"


CURRENT = dict(
    previous=LastBuild("abc", "2026-05", due_through="2026-04", inputs="d1"),
    due="2026-04",
    inputs="d1",
)


def test_nothing_changed_is_nothing_to_build() -> None:
    p = plan(**CURRENT)
    assert p.up_to_date and not p.full_refresh
    assert (p.due_through, p.inputs) == ("2026-04", "d1")  # what the ledger keeps
    assert not plan(**{**CURRENT, "due": "2026-05"}).up_to_date  # a due date has passed
    assert not plan(**{**CURRENT, "inputs": "d2"}).up_to_date  # an approval, a release
    assert not plan(**{**CURRENT, "published": False}).up_to_date  # a build awaits publication
    assert not plan(**{**CURRENT, "first_changed": "2026-03"}).up_to_date
    assert not plan(**{**CURRENT, "last": "2026-06"}).up_to_date
    assert not plan(**{**CURRENT, "full_refresh": True}).up_to_date
    # a ledger written before builds kept their due month and inputs: build once
    assert not plan(**{**CURRENT, "previous": LastBuild("abc", "2026-05")}).up_to_date
    assert not plan(
        **{**CURRENT, "previous": LastBuild("old", "2026-05", "2026-04", "d1")}
    ).up_to_date


def test_due_through_follows_the_due_day(settings) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from pipelines.warehouse.plan import due_through

    day = settings.due_day
    assert due_through(settings, dt.date(2026, 3, day)) == "2026-01"  # February due tomorrow
    assert due_through(settings, dt.date(2026, 3, day + 1)) == "2026-02"
    assert due_through(settings, dt.date(2026, 1, 20)) is None  # nothing ended yet


def test_a_correction_recomputes_from_its_month() -> None:
    p = plan(first_changed="2026-02")
    assert not p.full_refresh and p.changed_from == "2026-02"


def test_a_month_that_has_ended_since_the_last_build_is_recomputed() -> None:
    p = plan(last="2026-06")
    assert (p.full_refresh, p.changed_from) == (False, "2026-06")
    # across a year, and the earliest of a new month and a correction
    p = plan(last="2027-01", previous=LastBuild("abc", "2026-12"), first_changed="2026-11")
    assert p.changed_from == "2026-11"
    p = plan(last="2027-01", previous=LastBuild("abc", "2026-12"))
    assert p.changed_from == "2027-01"


def test_a_change_before_the_partnership_starts_is_clamped() -> None:
    assert plan(first_changed="2025-12").changed_from == "2026-01"


def test_arguments_follow_the_plan(settings) -> None:  # type: ignore[no-untyped-def]
    full = build_args(settings, plan=plan(previous=None))
    assert full[:3] == ["build", "--exclude-resource-type", "unit_test"]
    assert "--full-refresh" in full
    assert "--full-refresh" not in build_args(settings, plan=plan(first_changed="2026-03"))
    calendar = json.loads(full[full.index("--vars") + 1])
    assert calendar == {
        "start_period": settings.start_period,
        "end_period": settings.end_period,
        "due_day": settings.due_day,
    }
    assert dbt_env(plan=plan(previous=None))["OSSERVATORIO_CHANGED_FROM"] == ""


def test_an_incremental_build_keeps_the_seeds_and_runs_every_other_test(settings) -> None:  # type: ignore[no-untyped-def]
    """dbt itself lists what the arguments select: a full build loads every seed and runs
    every data test; an incremental one (the seeds are the last build's: the fingerprint)
    loads none, skips the tests that read only seeds, and keeps every model and every test
    that reads a model, a relationship from a mart to a seed included."""
    import os
    import subprocess

    from pipelines.warehouse.dbt import PROJECT_DIR, dbt_executable, ensure_manifest

    manifest = json.loads(ensure_manifest().read_text())
    nodes = {
        uid: n
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] in ("model", "seed", "test")
    }

    def listed(args: list[str]) -> set[str]:
        selection = args[args.index("build") + 1 :]
        selection = [a for a in selection if a != "--full-refresh"]
        out = subprocess.run(
            [
                dbt_executable(),
                "ls",
                *selection,
                "--output",
                "json",
                "--output-keys",
                "unique_id",
                "--quiet",
                "--profiles-dir",
                str(PROJECT_DIR),
            ],
            cwd=PROJECT_DIR,
            env={
                **os.environ,
                "OSSERVATORIO_WAREHOUSE": str(PROJECT_DIR / "target/parse.duckdb"),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            },
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return {json.loads(line)["unique_id"] for line in out.splitlines() if line.strip()}

    full = listed(build_args(settings, plan=plan(previous=None)))
    incremental = listed(build_args(settings, plan=plan(first_changed="2026-03")))
    assert {u for u in nodes} <= full
    seeds = {u for u, n in nodes.items() if n["resource_type"] == "seed"}
    only_seeds = {
        u
        for u, n in nodes.items()
        if n["resource_type"] == "test" and set(n["depends_on"]["nodes"]) <= seeds
    }
    assert seeds and only_seeds
    to_seeds = {  # tests of a model that also read a seed
        u
        for u, n in nodes.items()
        if n["resource_type"] == "test"
        and set(n["depends_on"]["nodes"]) & seeds
        and u not in only_seeds
    }
    assert to_seeds
    assert incremental & set(nodes) == set(nodes) - seeds - only_seeds
