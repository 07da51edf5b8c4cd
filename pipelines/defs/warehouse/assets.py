"""The dbt models as assets (dbt tests become asset checks), then the published copy: the
disclosure audit is its blocking check, and a failed one stops the publication."""

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines.defs.ingestion.assets import WAREHOUSE_POOL
from pipelines.defs.resources import OsservatorioSettings
from pipelines.warehouse import build
from pipelines.warehouse.dbt import ensure_manifest
from pipelines.warehouse.errors import PublicationBlocked
from pipelines.warehouse.lock import writer_lock

MANIFEST = ensure_manifest()


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props):  # type: ignore[override]
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "warehouse"


@dbt_assets(
    manifest=MANIFEST,
    project=None,
    pool=WAREHOUSE_POOL,
    dagster_dbt_translator=Translator(DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, osservatorio: OsservatorioSettings
):
    settings = osservatorio.load()
    # The same steps as `osservatorio build` (pipelines/warehouse/build.py), dbt streamed
    # through Dagster so that each model and test is an asset event.
    with writer_lock(settings.home), build.models(settings) as step:
        context.log.info(f"warehouse build: {step.plan.reason}")
        with build.environment(step.env):  # the dbt process inherits them
            yield from dbt.cli(step.args, context=context, manifest=MANIFEST).stream()


AUDIT_CHECK = "no_suppressed_cell_recoverable"


@dg.asset(
    key=["published", "warehouse"],
    group_name="warehouse",
    pool=WAREHOUSE_POOL,
    deps=[["marts", "indicator_values"], ["marts", "indicator_breakdowns"]],
    kinds={"duckdb", "python"},
    check_specs=[
        dg.AssetCheckSpec(
            AUDIT_CHECK,
            asset=["published", "warehouse"],
            blocking=True,
            description="No suppressed cell can be derived from the published cells taken "
            "together (pipelines/disclosure/audit.py).",
        )
    ],
    description="Secondary suppression, the disclosure audit, then the analysts' "
    "read-only copy and Parquet files (the build enters the ledger).",
)
def published_warehouse(context: dg.AssetExecutionContext, osservatorio: OsservatorioSettings):
    settings = osservatorio.load()
    with writer_lock(settings.home):
        try:
            protection = build.publication(settings)
        except PublicationBlocked as exc:
            yield dg.AssetCheckResult(
                check_name=AUDIT_CHECK,
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"reason": str(exc)},
            )
            raise dg.Failure(str(exc)) from exc
    audit = protection.audit
    metadata = {
        "published_cells": audit.cells,
        "primary_suppressed": audit.primary,
        "secondary_suppressed": audit.secondary,
        "suppression_seconds": round(protection.suppression_seconds, 2),
        "audit_seconds": round(audit.seconds, 2),
    }
    yield dg.AssetCheckResult(check_name=AUDIT_CHECK, passed=True, metadata=metadata)
    yield dg.MaterializeResult(metadata=metadata)
