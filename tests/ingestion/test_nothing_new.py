"""A run with nothing new is cheap: it loads neither pandas nor the validation, and records
nothing (the files already recorded stay recorded once)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines import settings as settings_mod
from pipelines.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "partner_files"

RUN = """
import sys
from pipelines import settings
from pipelines.ingest import ingest
s = ingest(settings.load())
loaded = [m for m in ("pandas", "numpy", "great_expectations") if m in sys.modules]
print(s.seen, s.new, *loaded)
"""


def test_nothing_new_loads_no_validation(home: Path) -> None:
    month = home / "inbox" / "P01" / "2026-03"
    month.mkdir(parents=True)
    for name in ("clean_interventi_it.csv", "rule_esito_value.csv"):
        shutil.copy2(CORPUS / name, month / name)
    first = ingest(settings_mod.load(home))
    assert (first.seen, first.new) == (2, 2)
    done = subprocess.run(
        [sys.executable, "-c", RUN], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["2", "0"]  # nothing new, and nothing heavy loaded
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw.submissions").fetchone() == (2,)
    finally:
        con.close()
