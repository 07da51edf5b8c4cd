"""What a build can fail with, for the CLI, Dagster and the tests."""

from __future__ import annotations


class BuildError(RuntimeError):
    """dbt failed: a model did not build or a blocking data test failed."""


class PublicationBlocked(BuildError):
    """The disclosure audit found suppressed cells that the published ones determine: the
    build is not recorded and nothing is published (the previous publication stays)."""
