"""Validation: typed columns derived from the cell texts, GX suites run over them, issues out."""
