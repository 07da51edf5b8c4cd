"""What the platform writes, as digests, to show that a change of code changed no output:

    python -m bench.same_outputs --write before.json     # on the old code
    python -m bench.same_outputs --compare before.json   # on the new code: exit 1 if different

It ingests the fixture corpus (tests/fixtures/partner_files) and a small generated scenario,
builds the warehouse, and digests: every feedback file (HTML and JSON byte for byte; an
annotated workbook by its sheets, not by the zip's timestamps), every raw table (ordered,
without `processed_at`, the wall-clock time of processing) and `marts.indicator_values`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "partner_files"
KEY = "same-outputs-key-not-for-production-0123456789"
AS_OF = dt.date(2026, 6, 20)
VOLATILE = {"processed_at"}


def digest_file(path: Path) -> str:
    if path.suffix == ".xlsx":  # the parts people read, not the zip's dates
        h = hashlib.sha256()
        with zipfile.ZipFile(path) as zf:
            for name in sorted(zf.namelist()):
                if not name.startswith("docProps/"):
                    h.update(name.encode() + b"\0" + zf.read(name))
        return h.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digest_tables(db: Path, tables: list[str], home: Path) -> dict[str, str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        for table in tables:
            cols = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema || '.' "
                    "|| table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if c not in VOLATILE
            ]
            listed = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"select {listed} from {table} order by all").fetchall()
            text = repr(rows).replace(str(home), "<home>")  # paths inside the workspace
            out[table] = hashlib.sha256(text.encode()).hexdigest() + f" ({len(rows)} rows)"
    finally:
        con.close()
    return out


def _workspace(home: Path) -> None:
    os.environ.update(
        OSSERVATORIO_HOME=str(home),
        OSSERVATORIO_SECRET_KEY=KEY,
        OSSERVATORIO_START="2026-01",
        OSSERVATORIO_END="2026-05",
    )
    for name in ("OSSERVATORIO_SECRET_KEY_FILE", "DAGSTER_HOME", "OSSERVATORIO_DUE_DAY"):
        os.environ.pop(name, None)


def digests(tmp: Path) -> dict[str, object]:
    from pipelines import settings as settings_mod
    from pipelines.ingest import ingest
    from pipelines.synthetic.generator import GeneratorConfig, generate
    from pipelines.warehouse.build import build_warehouse

    home = tmp / "data"
    _workspace(home)
    month = home / "inbox" / "P01" / "2026-03"
    month.mkdir(parents=True)
    cases = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["cases"]
    for case in cases:
        if case["kind"] != "reader":
            shutil.copy2(CORPUS / case["file"], month / case["file"])
    generate(
        home / "inbox",
        GeneratorConfig(seed=11, partners=6, start_period="2026-01", months=5, rows_per_file=30),
    )
    settings = settings_mod.load(home)
    ingest(settings)
    feedback = {
        p.relative_to(home).as_posix(): digest_file(p)
        for p in sorted((home / "outbox").rglob("*"))
        if p.is_file()
    }
    build_warehouse(settings, as_of=AS_OF)
    raw = digest_tables(
        home / "warehouse.duckdb",
        ["raw.submissions", "raw.submission_issues", "raw.interventi", "raw.spese"],
        home,
    )
    marts = digest_tables(
        home / "published" / "warehouse.duckdb",
        ["marts.indicator_values", "marts.indicator_breakdowns"],
        home,
    )
    return {"feedback": feedback, "raw": raw, "marts": marts}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--compare", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="same-outputs-") as tmp:
        now = digests(Path(tmp))
    files = len(now["feedback"])  # type: ignore[arg-type]
    if args.write:
        args.write.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(
            f"wrote {args.write}: {files} feedback files, {len(now['raw'])} raw tables, "  # type: ignore[arg-type]
            f"{len(now['marts'])} marts"
        )  # type: ignore[arg-type]
        return 0
    before = json.loads(args.compare.read_text())
    differ = [
        f"{part}/{k}"
        for part in ("feedback", "raw", "marts")
        for k in sorted(set(before[part]) | set(now[part]))  # type: ignore[call-overload]
        if before[part].get(k) != now[part].get(k)
    ]  # type: ignore[union-attr]
    if differ:
        print(f"{len(differ)} outputs differ:", *differ[:20], sep="\n  ")
        return 1
    print(
        f"the same: {files} feedback files, raw tables "
        f"{', '.join(f'{k} {v.split()[1][1:]}' for k, v in now['raw'].items())}, "  # type: ignore[union-attr]
        f"and {', '.join(now['marts'])} byte for byte"
    )  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
