"""Disclosure control: no small count can be derived from what the platform publishes.

The dbt build marks the primary suppressions (counts of 1 to 4, indicators.md). Then, over
every published cell of `marts.indicator_values` and `marts.indicator_breakdowns` and the
links between them (`links.py`: windows, scopes, breakdowns and their totals, rates with their
numerators and denominators):

- `secondary.py` chooses further cells to suppress, as few and as small as it can, until no
  suppressed cell is pinned by the others;
- `audit.py` checks it independently, reading the tables as published: for each suppressed
  cell it looks for a second solution of the linear system that the published cells define
  (whole numbers >= 0, the sums and bounds), and a cell with none is a failed check that
  stops the publication.

`protect.py` runs both inside the build (the CLI and Dagster call the same functions).
"""
