"""Dagster wiring of the reporting stage."""
