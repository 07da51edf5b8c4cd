"""One warehouse build, in one place: under the writer lock, plan the months to recompute,
run dbt with the plan's arguments and environment, keep the plan as pending, then protect,
audit and publish. `build_warehouse` is what `osservatorio build`, approvals and the tests call; the
Dagster dbt asset runs the same `models` step with dbt streamed through `DbtCliResource`,
and the `published/warehouse` asset the same `publication` step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

from pipelines.settings import Settings
from pipelines.warehouse.dbt import build_args, configure_env, dbt_env, run_dbt
from pipelines.warehouse.lock import writer_lock
from pipelines.warehouse.plan import BuildPlan, plan_build, save_pending
from pipelines.warehouse.publish import protect_and_publish

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DbtStep:
    """What dbt is asked for this build: its arguments and the environment they need."""

    plan: BuildPlan
    args: list[str]
    env: dict[str, str]


@contextlib.contextmanager
def models(
    settings: Settings,
    as_of: dt.date | None = None,
    full_refresh: bool = False,
    plan: BuildPlan | None = None,
) -> Iterator[DbtStep]:
    """Plan the build (unless `plan` is the one just made) and hand the dbt step to the
    caller, who runs it; once it has run, the plan waits for publication
    (`meta.pending_build`). Call it holding the writer lock."""
    configure_env(settings)
    plan = plan or plan_build(settings, as_of, full_refresh)
    log.info("warehouse build: %s", plan.reason)
    yield DbtStep(plan, build_args(settings, plan=plan), dbt_env(as_of, plan))
    save_pending(settings, plan)


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """`values` set in this process's environment (a dbt process started by Dagster inherits
    them), restored afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def publication(settings: Settings):  # type: ignore[no-untyped-def]
    """Secondary suppression, the audit and, if it passes, the ledger and the published
    copy (`PublicationBlocked` otherwise). Call it holding the writer lock."""
    return protect_and_publish(settings)


def build_warehouse(
    settings: Settings, as_of: dt.date | None = None, full_refresh: bool = False
) -> BuildPlan:
    """The whole build with the dbt executable called directly (no Dagster). When nothing
    changed since the last published build (its data, the project, the months due), there
    is nothing to build: neither dbt nor the publication runs (`BuildPlan.up_to_date`)."""
    with writer_lock(settings.home):
        configure_env(settings)
        plan = plan_build(settings, as_of, full_refresh)
        if plan.up_to_date:
            log.info("warehouse build: %s", plan.reason)
            return plan
        with models(settings, as_of, full_refresh, plan) as step:
            run_dbt(settings, step.args, step.env)
        publication(settings)
    return step.plan
