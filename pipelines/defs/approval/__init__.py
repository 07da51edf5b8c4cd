"""The steward's approvals as Dagster sees them."""
