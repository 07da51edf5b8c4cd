"""Warehouse: the DuckDB raw tables that ingestion writes, the dbt build, the published copy."""
