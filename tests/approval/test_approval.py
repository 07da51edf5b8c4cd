"""Approval and locking end to end (interfaces.md, "Approval and locking"): approve a
partner-month, a later correction held (feedback, status, figures unchanged), reopen with a
reason, the correction applied at the next ingest with its original arrival time, and the
history of period_approvals; approving what cannot be approved exits 1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.ingest import ingest
from pipelines.warehouse.build import build_warehouse
from tests.helpers import at, expense, row, write_xlsx

PERIOD = "2026-03"


def q(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def reach(home: Path, partner: str) -> float:
    return q(
        home,
        "select value from marts.indicator_values where indicator_code = "
        "'REACH_PERSONS' and scope = 'partner' and scope_code = ? and period = ? "
        "and \"window\" = 'month'",
        [partner, PERIOD],
    )[0][0]


def status(capsys: pytest.CaptureFixture[str], partner: str) -> dict:
    capsys.readouterr()
    assert main(["status", "--period", PERIOD, "--format", "json"]) == 0
    return next(r for r in json.loads(capsys.readouterr().out) if r["partner"] == partner)


@pytest.fixture(scope="module")
def workspace(module_home: Path):
    """P01 and P02 report March 2026 on time; the calendar ends in April to keep builds small."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OSSERVATORIO_END", "2026-04")
        from pipelines import settings as settings_mod

        settings = settings_mod.load(module_home)
        inbox = module_home / "inbox"
        write_xlsx(
            inbox / "P01" / PERIOD / "marzo.xlsx",
            [row(i) for i in range(6)],
            [expense()],
            mtime=at("2026-04-05"),
        )
        write_xlsx(
            inbox / "P02" / PERIOD / "marzo.xlsx",
            [row(40 + i) for i in range(3)],
            [expense()],
            mtime=at("2026-04-06"),
        )
        ingest(settings)
        build_warehouse(settings)
        yield settings


def test_approving_a_month_without_an_accepted_file_exits_1(workspace, capsys) -> None:
    write_xlsx(
        workspace.home / "inbox" / "P03" / PERIOD / "rotto.xlsx",
        [row(60, sesso="X")],
        mtime=at("2026-04-07"),
    )
    ingest(workspace)
    capsys.readouterr()
    assert main(["approve", "--period", PERIOD, "--partner", "P03", "--by", "Anna Steward"]) == 1
    err = capsys.readouterr().err
    assert "P03" in err and "no accepted file" in err
    assert main(["approve", "--period", "2026-04", "--by", "Anna Steward"]) == 1
    assert "no partner has sent a file" in capsys.readouterr().err
    assert (
        main(["reopen", "--period", PERIOD, "--partner", "P01", "--by", "Anna", "--reason", "x"])
        == 1
    )  # not approved


def test_approve_hold_reopen_apply(workspace, capsys) -> None:
    home = workspace.home
    assert (
        main(
            [
                "approve",
                "--period",
                PERIOD,
                "--partner",
                "P01",
                "--by",
                "Anna Steward",
                "--note",
                "checked against the register",
            ]
        )
        == 0
    )
    approved = status(capsys, "P01")
    assert approved["approved"] is True and approved["status"] == "on_time"
    before = reach(home, "P01")
    assert before == 6

    # A correction arrives for the approved month: held, not applied.
    correction = write_xlsx(
        home / "inbox" / "P01" / PERIOD / "marzo_corretto.xlsx",
        [row(i) for i in range(9)],
        [expense()],
        mtime=at("2026-04-20"),
    )
    summary = ingest(workspace)
    assert summary.held == 1 and summary.accepted == 0
    assert [p.file_name for p in summary.problems] == ["marzo_corretto.xlsx"]
    page = next((home / "outbox" / "P01" / PERIOD).glob("esito_*_marzo_corretto.html"))
    text = page.read_text(encoding="utf-8")
    assert "non è stato ancora applicato" in text and "riaprire il mese" in text
    assert "il mese di marzo 2026 è già stato approvato" in text
    assert "Interventi: 9 righe lette, 9 in attesa" in text  # the interventions, not spese
    build_warehouse(workspace)
    held = status(capsys, "P01")
    assert held["status"] == "held" and held["approved"] is True and held["versions"] == 2
    assert reach(home, "P01") == before  # the figures stay those approved
    assert q(
        home,
        "select status, is_current from marts.submissions where file_name = 'marzo_corretto.xlsx'",
    ) == [("held", False)]
    # The steward is told, with what to do.
    from pipelines.alerting.run import run_alerts

    alerts = run_alerts(workspace, dt.date(2026, 4, 25), dry_run=True)
    (digest,) = [m for m in alerts.messages + alerts.unsent if m.audience == "steward"]
    assert (
        "- [file_held] P01 2026-03: file marzo_corretto.xlsx received 2026-04-20 14:00 "
        "is held: the month is approved. To apply it: osservatorio reopen --period "
        "2026-03 --partner P01"
    ) in digest.body

    # Approving again is refused while it is approved; reopening needs the month approved.
    assert main(["approve", "--period", PERIOD, "--partner", "P01", "--by", "Anna"]) == 1
    assert (
        main(
            [
                "reopen",
                "--period",
                PERIOD,
                "--partner",
                "P01",
                "--by",
                "Anna Steward",
                "--reason",
                "the partner corrected three interventions",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "reopen",
                "--period",
                PERIOD,
                "--partner",
                "P01",
                "--by",
                "Anna Steward",
                "--reason",
                "again",
            ]
        )
        == 1
    )
    assert reach(home, "P01") == before  # reopened, but the held file waits for an ingest

    # The next ingest applies it, with its original arrival time.
    summary = ingest(workspace)
    assert [r.file_name for r in summary.released] == ["marzo_corretto.xlsx"]
    assert summary.new == 0
    build_warehouse(workspace)
    assert reach(home, "P01") == 9
    got = q(
        home,
        "select status, is_current, received_at from marts.submissions "
        "where file_name = 'marzo_corretto.xlsx'",
    )
    assert got == [
        ("accepted", True, dt.datetime.fromtimestamp(correction.stat().st_mtime, dt.UTC))
    ]
    reopened = status(capsys, "P01")
    assert reopened["status"] == "corrected" and reopened["approved"] is False
    assert reopened["received_at"] == "2026-04-05T14:00:00+02:00"  # Europe/Rome, with offset

    # Approved again: the new version; the history keeps the three actions in order.
    assert main(["approve", "--period", PERIOD, "--by", "Bruno Steward"]) == 0
    history = q(
        home,
        'select partner_code, action, "by", note, sha256 from marts.period_approvals order by "at"',
    )
    sha = {
        name: s
        for name, s in q(
            home, "select file_name, sha256 from marts.submissions where partner_code = 'P01'"
        )
    }
    assert history == [
        ("P01", "approved", "Anna Steward", "checked against the register", sha["marzo.xlsx"]),
        (
            "P01",
            "reopened",
            "Anna Steward",
            "the partner corrected three interventions",
            sha["marzo.xlsx"],
        ),
        ("P01", "approved", "Bruno Steward", None, sha["marzo_corretto.xlsx"]),
        (
            "P02",
            "approved",
            "Bruno Steward",
            None,
            q(home, "select sha256 from marts.submissions where partner_code = 'P02'")[0][0],
        ),
    ]


def test_is_final_only_where_every_partner_month_is_approved(workspace) -> None:
    home = workspace.home
    final = {
        (p, w, s, c): f
        for p, w, s, c, f in q(
            home,
            'select period, "window", scope, scope_code, is_final '
            "from intermediate.int_indicator_finality",
        )
    }
    assert final[(PERIOD, "month", "partner", "P01")] is True
    assert final[(PERIOD, "month", "partner", "P02")] is True
    assert final[(PERIOD, "month", "partner", "P03")] is False  # only a rejected file
    assert final[(PERIOD, "month", "partnership", None)] is False  # 25 more partners
    assert final[(PERIOD, "cumulative", "partner", "P01")] is False  # January not approved
    assert final[("2026-04", "month", "partner", "P01")] is False


def test_the_report_says_which_partner_months_are_not_approved(workspace) -> None:
    from pipelines.reporting.data import Warehouse
    from pipelines.reporting.monthly import approval_note

    with Warehouse(workspace.home / "published" / "warehouse.duckdb") as wh:
        note = approval_note(wh, PERIOD)
        assert wh.finality(PERIOD, "partner", "P01") == {
            "month": True,
            "year": False,
            "cumulative": False,
        }
    assert "<strong>Dati provvisori</strong>: 26 rendiconti di marzo 2026" in note
    assert "(P03, P04, P05" in note and "P01," not in note and "P02," not in note
    assert "I valori cumulati dall'inizio restano provvisori" in note
