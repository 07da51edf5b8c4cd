"""Dagster wiring per stage: assets, checks, sensors, schedules. No logic beyond wiring."""
