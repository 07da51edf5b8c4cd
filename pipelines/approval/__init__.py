"""Approval and locking of partner-months (interfaces.md, "Approval and locking").

The steward approves a partner-month once its figures are checked; from then on its
accepted version is the one the indicators use, and a new file for it is `held` until the
steward reopens the month. `steward.py` holds the two commands (the CLI, Dagster and the
portal call them), `state.py` what the ledger says, `held.py` what ingestion does with a
file for a closed month.
"""
