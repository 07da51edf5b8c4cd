"""The validation frame's parsers run once per distinct text: same results as per row."""

from __future__ import annotations

from pipelines.validation import derived
from pipelines.validation.parsing import INVALID, parse_int, parse_number


def test_mapped_equals_calling_per_row() -> None:
    texts = ["1.500", "1,5", "3", None, "abc", "1.500", "3,0", None, "1.234,56", "-", "3"]
    flags = [True, False, True, False, True, False, True, True, False, True, False]
    assert derived._mapped(parse_number, texts, flags) == [
        parse_number(t, f) for t, f in zip(texts, flags, strict=True)
    ]
    assert derived._mapped(parse_int, texts) == [parse_int(t) for t in texts]
    got = derived._mapped(parse_int, ["x", "x"])
    assert got[0] is INVALID and got[1] is INVALID  # the sentinel itself, not a copy
    assert derived._mapped(parse_int, []) == []


def test_rules_frame_raw_tables_and_suites_agree() -> None:
    """Every rule computed here is one named function with its docstring and one expectation
    in the suite; every frame column the suites or the raw tables read is one the frame
    makes; the raw tables' typed columns are exactly those of derived.TO_RAW."""
    import json
    from pathlib import Path

    import duckdb

    from pipelines.ingestion.reader import RawTable
    from pipelines.warehouse.raw import DDL

    root = Path(__file__).resolve().parents[2]
    frames = {
        t: derived.FRAMES[t](
            [
                derived.TablePart(
                    0,
                    "2026-03",
                    RawTable(t, t, 1, {}, {c.name: [None] for c in derived.TABLES[t]}, [2]),
                )
            ]
        )
        for t in ("interventi", "spese")
    }
    for table, frame in frames.items():
        suite = json.loads((root / "expectations" / f"{table}.json").read_text())
        read = set()
        for e in suite["expectations"]:
            kw = e["kwargs"]
            read |= {kw[k] for k in ("column", "column_A", "column_B") if k in kw}
        assert read <= set(frame.columns), read - set(frame.columns)
        flags = {c.removeprefix("chk__") for c in frame.columns if c.startswith("chk__")}
        rules = {e["meta"]["rule"] for e in suite["expectations"]}
        assert flags <= rules
        if table == "interventi":
            assert flags == set(derived.RULES)
            for f in derived.RULES.values():
                assert f.__doc__ and f.__doc__.strip(), f.__name__
        assert set(derived.TO_RAW[table].values()) <= set(frame.columns)
    con = duckdb.connect()
    con.execute(DDL)
    for table in ("interventi", "spese"):
        cols = {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' "
                "and table_name = ?",
                [table],
            ).fetchall()
        }
        assert cols - {"submission_id", "row_number", "person_id", "anonimo"} == set(
            derived.TO_RAW[table]
        )
