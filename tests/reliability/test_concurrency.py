"""Concurrency: 28 files dropped at once with duplicate drops and a correction racing its
original, ingested by three processes started together: each file once, the correction wins,
nothing deadlocks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import TEST_KEY
from tests.helpers import at, row, write_xlsx

CLI = str(Path(sys.executable).with_name("osservatorio"))


def test_simultaneous_drops_and_ingests(home: Path) -> None:
    inbox = home / "inbox"
    for i in range(1, 29):
        p = f"P{i:02d}"
        write_xlsx(
            inbox / p / "2026-03" / "marzo.xlsx",
            [row(i * 10 + k) for k in range(3)],
            mtime=at("2026-04-05"),
        )
    # Duplicates: the same bytes under other names, in the same folders.
    for i in (3, 7, 11):
        src = inbox / f"P{i:02d}" / "2026-03" / "marzo.xlsx"
        (src.parent / "marzo (1).xlsx").write_bytes(src.read_bytes())
        os.utime(src.parent / "marzo (1).xlsx", (src.stat().st_mtime + 5,) * 2)
    # A correction racing its original: dropped together, one minute later by arrival time.
    write_xlsx(
        inbox / "P05" / "2026-03" / "marzo_corretto.xlsx",
        [row(50), row(51), row(52), row(999)],
        mtime=at("2026-04-05").replace(minute=1),
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSERVATORIO_")}
    env.update({"OSSERVATORIO_HOME": str(home), "OSSERVATORIO_SECRET_KEY": TEST_KEY})
    procs = [
        subprocess.Popen(
            [CLI, "ingest"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [e[-1500:] for _, e in outs]
    subprocess.run([CLI, "build"], env=env, check=True, capture_output=True, timeout=600)

    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        per_partner = con.execute(
            "select partner_code, count(*) from marts.submissions group by 1 order by 1"
        ).fetchall()
        p05 = con.execute(
            "select intervention_code from marts.fct_interventions "
            "where partner_code = 'P05' order by 1"
        ).fetchall()
        current = con.execute(
            "select file_name from marts.submissions where partner_code = 'P05' and is_current"
        ).fetchall()
    finally:
        con.close()
    assert per_partner == [(f"P{i:02d}", 2 if i == 5 else 1) for i in range(1, 29)]
    assert current == [("marzo_corretto.xlsx",)]
    assert [c for (c,) in p05] == ["INT0050", "INT0051", "INT0052", "INT0999"]
