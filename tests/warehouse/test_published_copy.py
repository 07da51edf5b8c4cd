"""Analysts query the published copy while the pipeline builds: neither blocks nor fails,
and a query never sees a half-built state."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from pipelines.ingest import ingest
from pipelines.warehouse.build import build_warehouse
from tests.helpers import at, expense, row, write_xlsx

AS_OF = dt.date(2026, 6, 20)

READER = textwrap.dedent("""
    import sys, time, duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    seen, queries, deadline = set(), 0, time.monotonic() + seconds
    while time.monotonic() < deadline or queries < 2:
        con = duckdb.connect(path, read_only=True)
        # A long analyst query, then a consistency check inside the same snapshot.
        con.execute("select count(*) from range(20000000) t, marts.dim_partner p "
                    "where t.range % 1000 = 0").fetchone()
        subs, rows = con.execute(
            "select (select count(*) from marts.submissions), "
            "(select count(*) from marts.fct_interventions)").fetchone()
        seen.add((subs, rows))
        con.close()
        queries += 1
    print(queries, sorted(seen))
""")


def test_long_query_on_published_copy_while_a_build_runs(home: Path, settings) -> None:
    inbox = home / "inbox"
    write_xlsx(
        inbox / "P01" / "2026-03" / "marzo.xlsx",
        [row(i) for i in range(8)],
        [expense()],
        mtime=at("2026-04-05"),
    )
    ingest(settings)
    build_warehouse(settings, as_of=AS_OF)
    published = home / "published" / "warehouse.duckdb"

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published), "25"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        write_xlsx(
            inbox / "P02" / "2026-03" / "marzo.xlsx",
            [row(20 + i) for i in range(5)],
            mtime=at("2026-04-06"),
        )
        assert ingest(settings).accepted == 1  # the writer is never blocked by the reader
        build_warehouse(settings, as_of=AS_OF)
    finally:
        out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    queries, seen = out.split(" ", 1)
    assert int(queries) >= 2
    # Every query saw a whole state: the old one (1 file, 8 rows) or the new one (2, 13).
    assert set(eval(seen)) <= {(1, 8), (2, 13)}  # noqa: S307 - our own subprocess output
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_interventions").fetchone()[0] == 13
    finally:
        con.close()
