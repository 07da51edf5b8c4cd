"""Resources shared by every stage: the settings and the dbt CLI."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines import settings as settings_mod
from pipelines.warehouse.dbt import PROJECT_DIR, dbt_executable


class OsservatorioSettings(dg.ConfigurableResource):
    """Where the workspace is; everything else comes from the environment."""

    home: str = ""

    def load(self) -> settings_mod.Settings:
        from pathlib import Path

        return settings_mod.load(Path(self.home) if self.home else None)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "osservatorio": OsservatorioSettings(),
            "dbt": DbtCliResource(
                project_dir=str(PROJECT_DIR),
                profiles_dir=str(PROJECT_DIR),
                dbt_executable=dbt_executable(),
            ),
        }
    )
