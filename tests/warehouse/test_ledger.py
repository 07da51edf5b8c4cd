"""The submission ledger and the raw tables after duplicates, corrections and rejections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest import ingest
from pipelines.warehouse.build import build_warehouse
from tests.helpers import at, expense, row, write_csv, write_xlsx


def q(home: Path, sql: str, published: bool = False) -> list[tuple]:
    path = home / ("published/warehouse.duckdb" if published else "warehouse.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def scenario(module_home: Path, module_settings):
    """Month 2026-03 of P01: an original, the same bytes again, a rejected file, a correction.
    P02: a workbook, then a CSV correcting only its spese."""
    home, settings = module_home, module_settings
    inbox = home / "inbox"
    p01 = inbox / "P01" / "2026-03"
    original = write_xlsx(
        p01 / "marzo.xlsx", [row(i) for i in range(6)], [expense()], mtime=at("2026-04-05")
    )
    ingest(settings)
    # The very same bytes under another name: recognised, nothing new.
    (p01 / "marzo_copia.xlsx").write_bytes(original.read_bytes())
    # A broken file: rejected, nothing of it stored.
    write_xlsx(
        p01 / "marzo_rotto.xlsx",
        [row(i) for i in range(5)] + [row(9, sesso="X")],
        mtime=at("2026-04-07"),
    )
    # The correction: replaces the interventi and spese of March as a whole.
    write_xlsx(
        p01 / "marzo_corretto.xlsx",
        [row(i) for i in range(3)] + [row(20), row(21)],
        [expense(total=500.0, cofin=50.0)],
        mtime=at("2026-04-08"),
    )
    p02 = inbox / "P02" / "2026-03"
    write_xlsx(
        p02 / "marzo.xlsx",
        [row(30 + i) for i in range(4)],
        [expense(total=800.0)],
        mtime=at("2026-04-02"),
    )
    write_csv(
        p02 / "marzo_spese.csv",
        "spese",
        [expense(total=900.0, cofin=100.0)],
        mtime=at("2026-04-09"),
    )
    summary = ingest(settings)
    build_warehouse(settings, as_of=dt.date(2026, 5, 20))
    return summary


def test_same_bytes_twice_is_one_ledger_row(module_home: Path, module_settings, scenario) -> None:
    assert (
        q(module_home, "select count(*) from raw.submissions where partner_code = 'P01'")[0][0] == 3
    )
    again = ingest(module_settings)
    assert again.new == 0
    feedback = sorted(p.name for p in (module_home / "outbox" / "P01" / "2026-03").glob("*.json"))
    assert len(feedback) == 3


def test_versions_and_current(module_home: Path, scenario) -> None:
    rows = q(
        module_home,
        "select file_name, version, status, is_current from marts.submissions "
        "where partner_code = 'P01' order by version",
    )
    assert rows == [
        ("marzo.xlsx", 1, "accepted", False),
        ("marzo_rotto.xlsx", 2, "rejected", False),
        ("marzo_corretto.xlsx", 3, "accepted", True),
    ]


def test_correction_replaces_the_month_and_history_is_kept(module_home: Path, scenario) -> None:
    codes = q(
        module_home,
        "select intervention_code from marts.fct_interventions "
        "where partner_code = 'P01' order by 1",
    )
    assert [c for (c,) in codes] == ["INT0000", "INT0001", "INT0002", "INT0020", "INT0021"]
    # Both accepted versions stay in the raw tables: the audit trail.
    assert (
        q(module_home, "select count(*) from raw.interventi where submission_id like 'P01_%'")[0][0]
        == 11
    )
    spend = q(
        module_home, "select sum(total_eur) from marts.fct_expenses where partner_code = 'P01'"
    )
    assert float(spend[0][0]) == 500.0


def test_rejected_file_reaches_only_ledger_and_quarantine(module_home: Path, scenario) -> None:
    sid = q(
        module_home,
        "select submission_id from raw.submissions where file_name = 'marzo_rotto.xlsx'",
    )[0][0]
    assert (
        q(module_home, f"select count(*) from raw.interventi where submission_id = '{sid}'")[0][0]
        == 0
    )
    assert len(list((module_home / "quarantine" / "P01" / "2026-03").iterdir())) == 1
    issues = q(
        module_home,
        f"select rule, row_number, column_header from raw.submission_issues "
        f"where submission_id = '{sid}'",
    )
    assert issues == [("sesso_value", 7, "Sesso")]


def test_csv_correction_replaces_only_its_table(module_home: Path, scenario) -> None:
    rows = q(
        module_home,
        "select file_name, is_current from marts.submissions "
        "where partner_code = 'P02' order by version",
    )
    assert rows == [("marzo.xlsx", True), ("marzo_spese.csv", True)]
    assert (
        q(module_home, "select count(*) from marts.fct_interventions where partner_code = 'P02'")[
            0
        ][0]
        == 4
    )
    spend = q(
        module_home, "select sum(total_eur) from marts.fct_expenses where partner_code = 'P02'"
    )
    assert float(spend[0][0]) == 900.0


def test_every_received_file_is_archived_read_only(module_home: Path, scenario) -> None:
    archived = [p for p in (module_home / "archive").rglob("*") if p.is_file()]
    assert len(archived) == 5  # six files dropped, two of them the same bytes
    assert all(not (p.stat().st_mode & 0o222) for p in archived)


def test_published_copy_matches_the_warehouse(module_home: Path, scenario) -> None:
    sql = "select count(*), sum(rows_accepted) from marts.submissions"
    assert q(module_home, sql, published=True) == q(module_home, sql)
