"""After ingesting files with codici fiscali and name/phone columns, none of those strings
is anywhere in the warehouse, the logs or the outbox (the partner's returned workbook aside)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipelines import logs
from pipelines.ingest import ingest
from pipelines.warehouse.build import build_warehouse
from tests.helpers import at, row, write_csv, write_xlsx

NAMES = ["Mario Rossi", "Giulia Bianchi", "Luca Verdi", "Sara Ferri", "Anna Colombo"]
PHONES = ["+39 333 1234567", "0373 998877", "347-5556667", "3401112223", "0373 112233"]


def _varchar_values(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cols = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        values: set[str] = set()
        for schema, table, column in cols:
            values.update(
                v
                for (v,) in con.execute(
                    f'select distinct cast("{column}" as varchar) from "{schema}"."{table}"'
                ).fetchall()
                if v is not None
            )
        return values
    finally:
        con.close()


def test_codici_fiscali_names_and_phones_never_stored(home: Path, settings) -> None:
    logs.setup(home / "logs")
    rows = [row(i, "2026-02") for i in range(5)]
    # One broken row so that the rejected file's feedback is written too.
    bad = [row(10 + i, "2026-02") for i in range(4)] + [
        row(14, "2026-02", codice_fiscale=row(15)["codice_fiscale"][:-1] + "X")
    ]
    inbox = home / "inbox"
    write_xlsx(
        inbox / "P03" / "2026-02" / "febbraio.xlsx",
        rows,
        extra={"Cognome e nome": NAMES, "Telefono": PHONES},
        mtime=at("2026-03-05"),
    )
    write_xlsx(
        inbox / "P04" / "2026-02" / "febbraio.xlsx",
        bad,
        extra={"Nominativo": NAMES},
        mtime=at("2026-03-06"),
    )
    write_csv(
        inbox / "P05" / "2026-02" / "febbraio.csv",
        "interventi",
        [row(20 + i, "2026-02") for i in range(5)],
        mtime=at("2026-03-07"),
    )
    summary = ingest(settings)
    assert (summary.accepted_with_warnings, summary.accepted, summary.rejected) == (1, 1, 1)
    build_warehouse(settings, as_of=dt.date(2026, 4, 20))

    secrets = (
        {r["codice_fiscale"] for r in rows + bad}
        | {row(20 + i)["codice_fiscale"] for i in range(5)}
        | set(NAMES)
        | set(PHONES)
    )
    secrets |= {s.upper() for s in secrets} | {s.lower() for s in secrets}

    # 1. Every text value in both databases, read through SQL (robust to compression).
    for db in (home / "warehouse.duckdb", home / "published" / "warehouse.duckdb"):
        stored = _varchar_values(db)
        assert not {v for v in stored if any(s in v for s in secrets)}, db
    # 2. The bytes of every file the platform wrote, except the archive and the quarantine
    #    (the partner's raw files) and the partner's own returned workbook.
    checked = 0
    for path in home.rglob("*"):
        if not path.is_file() or path.name.endswith("_segnalazioni.xlsx"):
            continue
        rel = path.relative_to(home).parts
        if rel[0] in ("inbox", "archive", "quarantine"):
            continue
        data = path.read_bytes()
        for s in secrets:
            assert s.encode() not in data, (path, "a personal value was found")
            assert s.encode("utf-16-le") not in data, path
        checked += 1
    assert checked >= 6  # two databases, a log, feedback pages and JSON
    # The partner is told which columns were dropped.
    page = next((home / "outbox" / "P03" / "2026-02").glob("*.html")).read_text()
    assert "Cognome e nome" in page and "Telefono" in page
    # ... and the returned workbook of the rejected file is the partner's own data, annotated.
    assert list((home / "outbox" / "P04" / "2026-02").glob("*_segnalazioni.xlsx"))
