"""A column's texts, read with a fast path for text cells and each other value converted
once, are `cell_text` of each cell."""

from __future__ import annotations

import datetime as dt

from pipelines.ingestion.reader import _column_texts, cell_text


def test_column_texts_equal_cell_text() -> None:
    columns = [
        [" a ", "", None, 1.0, 2.5, True, float("nan"), "  ", dt.date(2026, 3, 1)],
        # equal as keys, not as texts: True == 1 == 1.0, False == 0 == 0.0 == -0.0
        [1, 1.0, True, 1.5, 0.0, -0.0, False, 0, True, 1],
        ["\u00a0b\u00a0", " ", "c", ""],  # a column of text only
        [dt.datetime(2026, 3, 1, 10, 30), dt.date(2026, 3, 1), dt.datetime(2026, 3, 1)],
        [float("nan"), float("nan"), None],
        [],
    ]
    for cells in columns:
        assert _column_texts(cells) == [cell_text(c) for c in cells], cells
