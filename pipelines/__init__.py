"""Osservatorio: the Dagster code location and the pipeline stages."""
