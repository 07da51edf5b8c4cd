"""The validation frame's parsers run once per distinct text: same results as per row."""

from __future__ import annotations

from pipelines.validation import derived
from pipelines.validation.parsing import INVALID, parse_int, parse_number


def test_mapped_equals_calling_per_row() -> None:
    texts = ["1.500", "1,5", "3", None, "abc", "1.500", "3,0", None, "1.234,56", "-", "3"]
    flags = [True, False, True, False, True, False, True, True, False, True, False]
    assert derived._mapped(parse_number, texts, flags) == [
        parse_number(t, f) for t, f in zip(texts, flags, strict=True)]
    assert derived._mapped(parse_int, texts) == [parse_int(t) for t in texts]
    got = derived._mapped(parse_int, ["x", "x"])
    assert got[0] is INVALID and got[1] is INVALID  # the sentinel itself, not a copy
    assert derived._mapped(parse_int, []) == []

