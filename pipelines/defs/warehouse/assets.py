"""The dbt models as assets; dbt tests become asset checks."""

import os

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines.defs.ingestion.assets import WAREHOUSE_POOL
from pipelines.defs.resources import OsservatorioSettings
from pipelines.warehouse.dbt import (
    build_args,
    configure_env,
    dbt_env,
    ensure_manifest,
    plan_build,
    publish,
    record_build,
)
from pipelines.warehouse.lock import writer_lock

MANIFEST = ensure_manifest()


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props):  # type: ignore[override]
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "warehouse"


@dbt_assets(manifest=MANIFEST, project=None, pool=WAREHOUSE_POOL,
            dagster_dbt_translator=Translator(DagsterDbtTranslatorSettings(enable_asset_checks=True)))
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                     osservatorio: OsservatorioSettings):
    settings = osservatorio.load()
    configure_env(settings)
    with writer_lock(settings.home):  # also against a CLI ingest or build outside Dagster
        plan = plan_build(settings)
        context.log.info(f"warehouse build: {plan.reason}")
        values = dbt_env(None, plan)
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)  # the dbt process inherits them
        try:
            yield from dbt.cli(build_args(settings, plan=plan), context=context,
                               manifest=MANIFEST).stream()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        record_build(settings, plan)
        publish(settings)
