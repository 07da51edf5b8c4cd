"""Ledger: every received file archived by content hash, rejected ones quarantined."""
