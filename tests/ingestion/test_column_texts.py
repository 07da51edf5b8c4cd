"""A column's texts, read with a fast path for text cells, are `cell_text` of each cell."""

from __future__ import annotations

import datetime as dt

from pipelines.ingestion.reader import _column_texts, cell_text


def test_column_texts_equal_cell_text() -> None:
    body = [
        [" a ", "", None, 1.0, 2.5, True, float("nan"), "  ", dt.date(2026, 3, 1)],
        ["x"],
        [],
        [0, "\u00a0b\u00a0", dt.datetime(2026, 3, 1, 10, 30)],
    ]
    for j in range(10):
        assert _column_texts(body, j) == [cell_text(r[j]) if j < len(r) else None for r in body], j
