"""The scale tiers, deterministic from their seeds."""

from __future__ import annotations

from pipelines.synthetic.generator import GeneratorConfig

TIERS: dict[str, GeneratorConfig] = {
    # One month of the 28 partners.
    "S": GeneratorConfig(
        seed=101, partners=28, start_period="2026-01", months=1, rows_per_file=600
    ),
    # Five years of the 28 partners: about a million rows, mixed formats.
    "M": GeneratorConfig(
        seed=102, partners=28, start_period="2026-01", months=60, rows_per_file=600
    ),
    # A regional deployment: ten times M in rows.
    "L": GeneratorConfig(
        seed=103, partners=28, start_period="2026-01", months=60, rows_per_file=6000
    ),
}
