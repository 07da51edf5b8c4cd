"""The alerts of a synthetic partnership, end to end, over a real SMTP server.

Five generated partners (late, missing, rejected and corrected reports, fixed seed), one
constructed partner whose June is six times its usual month (P07), and 22 partners that
never send anything. The inbox is ingested and the warehouse built once; the alerts are
evaluated as of 8 July 2026, again the same day (nothing new), and as of 15 July through the
Dagster job the daily schedule launches. What reaches which address is compared with an
independent reading of the generator's manifest (arrival times and verdicts of the files).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.issues import FILE_RULES
from pipelines.synthetic.generator import GeneratorConfig, generate
from tests.alerting.smtp_server import STEWARD, SmtpServer
from tests.helpers import row, write_xlsx

ROME = ZoneInfo("Europe/Rome")
ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("osservatorio")
CONFIG = GeneratorConfig(
    seed=5,
    partners=5,
    start_period="2026-01",
    months=6,
    rows_per_file=12,
    error_rate=0.2,
    warning_rate=0.1,
    late_rate=0.25,
    missing_rate=0.1,
    correction_rate=0.1,
    unreadable_rate=0.0,
)
BUILT_AS_OF = dt.date(2026, 9, 30)  # after every arrival: the calendar runs to August
PERIODS = [f"2026-{m:02d}" for m in range(1, 9)]
FIRST, SECOND = dt.date(2026, 7, 8), dt.date(2026, 7, 15)
ANOMALOUS = "P07"  # ten POV interventions a month, sixty in June
MONTHS_IT = {"2026-05": "maggio 2026", "2026-06": "giugno 2026", "2026-07": "luglio 2026"}
CODICE_FISCALE = re.compile(r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]", re.IGNORECASE)


@dataclass(frozen=True)
class File:
    partner: str
    period: str
    arrival: dt.datetime
    accepted: bool
    sha256: str


def due(period: str) -> dt.date:
    y, m = int(period[:4]), int(period[5:])
    return dt.date(y + m // 12, m % 12 + 1, 10)


def constructed_files(inbox: Path) -> list[File]:
    out = []
    for i, period in enumerate(PERIODS[:6]):
        rows = [row(k, period) for k in range(60 if period == "2026-06" else 10)]
        d = due(period).replace(day=3 if period == "2026-06" else 5)
        arrival = dt.datetime(d.year, d.month, d.day, 10, i, tzinfo=ROME)
        path = write_xlsx(
            inbox / ANOMALOUS / period / f"rendiconto_{period}.xlsx", rows, mtime=arrival
        )
        out.append(
            File(ANOMALOUS, period, arrival, True, hashlib.sha256(path.read_bytes()).hexdigest())
        )
    return out


@pytest.fixture(scope="module")
def scenario(module_home: Path, module_settings, smtp_server: SmtpServer):
    from pipelines.alerting.run import run_alerts
    from pipelines.definitions import defs
    from pipelines.ingest import ingest
    from pipelines.warehouse.build import build_warehouse

    inbox = module_home / "inbox"
    manifest = generate(inbox, CONFIG, manifest_path=module_home / "truth" / "manifest.json")
    files = [
        File(
            f["partner"],
            f["period"],
            dt.datetime.fromisoformat(f["arrival"]),
            f["expected_status"] != "rejected",
            hashlib.sha256((inbox / f["path"]).read_bytes()).hexdigest(),
        )
        for f in manifest["files"]
    ]
    files += constructed_files(inbox)
    assert max(f.arrival for f in files).date() < BUILT_AS_OF
    ingest(module_settings)
    build_warehouse(module_settings, as_of=BUILT_AS_OF)

    settings = smtp_server.settings_for(module_settings)
    smtp_server.mailbox.take()
    first = run_alerts(settings, FIRST)
    got_first = smtp_server.mailbox.take()
    again = run_alerts(settings, FIRST)
    got_again = smtp_server.mailbox.take()
    # The 15th as the daily schedule runs it: a tick, then its run of the alerts job.
    d = defs()
    tick = d.resolve_schedule_def("daily_alerts").evaluate_tick(
        dg.build_schedule_context(
            scheduled_execution_time=dt.datetime(2026, 7, 15, 7, 0, tzinfo=ROME)
        )
    )
    (request,) = tick.run_requests or []
    with pytest.MonkeyPatch.context() as mp:
        smtp_server.env(mp)
        job = d.resolve_job_def("evaluate_alerts").execute_in_process(
            run_config=request.run_config, instance=dg.DagsterInstance.ephemeral()
        )
    got_second = smtp_server.mailbox.take()
    return {
        "manifest": manifest,
        "files": files,
        "first": first,
        "got_first": got_first,
        "again": again,
        "got_again": got_again,
        "request": request,
        "job": job,
        "got_second": got_second,
    }


# --- the expected alerts, read from the manifest ----------------------------------------

Key = tuple[str, str, str, str, str | None, str | None]  # rule, audience, partner, period, ...


def partners() -> list[str]:
    with (ROOT / "seeds" / "partners.csv").open(encoding="utf-8") as fh:
        return [r["partner_code"] for r in csv.DictReader(fh)]


def expected(files: list[File], as_of: dt.date) -> set[Key]:
    nxt = as_of + dt.timedelta(days=1)
    cutoff = dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=ROME)
    out: set[Key] = set()
    ready: dict[str, int] = {}
    for partner in partners():
        for period in PERIODS:
            arrived = sorted(
                (
                    f
                    for f in files
                    if (f.partner, f.period) == (partner, period) and f.arrival < cutoff
                ),
                key=lambda f: f.arrival,
            )
            days_left = (due(period) - as_of).days
            if not arrived and 0 <= days_left <= 3:
                out.add(("reminder_due_soon", "partner", partner, period, None, None))
            accepted = [f.arrival for f in arrived if f.accepted]
            if not accepted and -days_left >= 1 and (-days_left - 1) // 7 < 8:
                week = f"week{(-days_left - 1) // 7 + 1}"
                out.add(("report_missing", "partner", partner, period, None, week))
                out.add(("report_missing", "steward", partner, period, None, week))
            still_rejected = [
                f for f in arrived if not f.accepted and (not accepted or f.arrival > max(accepted))
            ]
            if still_rejected and still_rejected[-1].arrival >= cutoff - dt.timedelta(days=30):
                for audience in ("partner", "steward"):
                    out.add(
                        (
                            "file_rejected",
                            audience,
                            partner,
                            period,
                            still_rejected[-1].sha256[:12],
                            None,
                        )
                    )
            if (
                accepted
                and min(accepted) >= cutoff - dt.timedelta(days=30)
                and min(accepted).astimezone(ROME).date() > due(period)
            ):
                out.add(("report_late", "steward", partner, period, None, None))
            if accepted and 0 < -days_left <= 120:  # nothing is approved in this scenario
                ready[period] = ready.get(period, 0) + 1
            if len(still_rejected) >= 2:
                out.add(("rejected_repeatedly", "steward", partner, period, None, None))
    for period, n in ready.items():
        out.add(("ready_to_approve", "steward", "", period, None, str(n)))
    if as_of >= dt.date(2026, 7, 3):
        out.add(("anomaly", "steward", ANOMALOUS, "2026-06", "POV", None))
    return out


def subject_of(key: Key) -> str:
    rule, _, _, period, _, _ = key
    month, due_it = MONTHS_IT[period], due(period).strftime("%d/%m/%Y")
    return (
        "[Osservatorio] "
        + {
            "reminder_due_soon": f"Promemoria: rendiconto di {month} in scadenza il {due_it}",
            "report_missing": f"Rendiconto di {month} mancante (scadenza {due_it})",
            "file_rejected": f"File respinto: rendiconto di {month}",
        }[rule]
    )


RULE_IDS = {
    e["meta"]["rule"]
    for t in ("interventi", "spese")
    for e in json.loads(
        (Path(__file__).resolve().parents[2] / "expectations" / f"{t}.json").read_text()
    )["expectations"]
} | set(FILE_RULES)


def partner_messages(keys: set[Key]) -> list[tuple[str, str]]:
    return sorted(
        (f"{k[2].lower()}@partner.example", subject_of(k)) for k in keys if k[1] == "partner"
    )


def digest_lines(got) -> set[tuple[str, str, str]]:
    (digest,) = [m for m in got if m.to == [STEWARD]]
    lines = [x for x in digest.body.splitlines() if x.startswith("- [")]
    found = {tuple(re.findall(r"^- \[(\w+)\] (?:(P\d\d) )?(\d{4}-\d\d)", x)[0]) for x in lines}
    assert len(found) == len(lines)
    return found


def of_steward(keys: set[Key]) -> set[tuple[str, str, str]]:
    return {(k[0], k[2], k[3]) for k in keys if k[1] == "steward"}


# --- the tests ---------------------------------------------------------------------------


def test_the_scenario_has_every_kind_of_alert(scenario) -> None:
    kinds = {(k[0], k[1]) for k in expected(scenario["files"], FIRST)}
    assert kinds == {
        ("reminder_due_soon", "partner"),
        ("report_missing", "partner"),
        ("report_missing", "steward"),
        ("file_rejected", "partner"),
        ("file_rejected", "steward"),
        ("report_late", "steward"),
        ("ready_to_approve", "steward"),
        ("rejected_repeatedly", "steward"),
        ("anomaly", "steward"),
    }
    statuses = {pm["expected_calendar_status"] for pm in scenario["manifest"]["partner_months"]}
    assert {"late", "missing", "rejected", "corrected", "on_time"} <= statuses


def test_exactly_the_expected_messages_reach_each_address(scenario) -> None:
    want = expected(scenario["files"], FIRST)
    got = scenario["got_first"]
    assert sorted((m.to[0], m.subject) for m in got if m.to != [STEWARD]) == partner_messages(want)
    assert all(len(m.to) == 1 and m.mail_from == "osservatorio@osservatorio.example" for m in got)
    assert digest_lines(got) == of_steward(want)
    (digest,) = [m for m in got if m.to == [STEWARD]]
    assert digest.subject == f"[Osservatorio] {len(of_steward(want))} new alerts as of 2026-07-08"
    assert {a.key for a in scenario["first"].new} == {"|".join(x or "-" for x in k) for k in want}


def test_key_content_of_the_messages(module_home: Path, scenario) -> None:
    got = scenario["got_first"]
    for m in got:
        assert not CODICE_FISCALE.search(m.body + m.subject), m.subject  # no personal data
        if m.to == [STEWARD]:
            continue
        partner = m.to[0][:3].upper()
        assert m.body.startswith(f"Gentile ente {partner},")
        assert m.message["Content-Language"] == "it"
        if "File respinto" in m.subject:
            page = re.search(r"(outbox/\S+/esito_[0-9a-f]{8}_[^\r\n]+\.html)", m.body)
            assert page and (module_home / page.group(1)).is_file(), m.body
            # where the problems are, in the partner's own column names; never a rule id
            assert re.search(
                r"I problemi riguardano (la colonna «[^»]+»|il file nel suo "
                r"insieme) \(\d+ error[ei]\)",
                m.body,
            ), m.body
            assert not RULE_IDS & set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", m.body)), m.body
        elif "Promemoria" in m.subject:
            assert f"inbox/{partner}/2026-06/" in m.body
    (digest,) = [m for m in got if m.to == [STEWARD]]
    anomaly = next(x for x in digest.body.splitlines() if x.startswith("- [anomaly]"))
    assert anomaly == (
        "- [anomaly] P07 2026-06 area POV: far from its previous months: "
        "interventions 60 (median 10 of 5 months, usually 10 to 10, score +50.0); "
        "persons 60 (median 10 of 5 months, usually 10 to 10, score +50.0); "
        "amount EUR 10,770 (median 1,545 of 5 months, usually 1,545 to 1,545, score +59.7)"
    )
    p05 = next(x for x in digest.body.splitlines() if x.startswith("- [rejected_repeatedly] P05"))
    assert "2 files rejected in a row" in p05


def test_a_second_evaluation_sends_nothing_new(module_home: Path, scenario) -> None:
    assert scenario["got_again"] == []
    assert scenario["again"].new == [] and len(scenario["again"].alerts) == len(
        scenario["first"].alerts
    )
    log = [json.loads(x) for x in (module_home / "logs" / "alerts.jsonl").read_text().splitlines()]
    keys = [r["key"] for r in log]
    assert len(keys) == len(set(keys))  # each alert once
    assert {r["delivery"] for r in log} == {"smtp"}


def test_a_week_later_the_daily_job_sends_what_is_new_and_stops_what_is_resolved(scenario) -> None:
    assert scenario["request"].run_config == {
        "ops": {"deliver_alerts": {"config": {"as_of": "2026-07-15"}}}
    }
    assert scenario["job"].success
    files = scenario["files"]
    new = expected(files, SECOND) - expected(files, FIRST)
    got = scenario["got_second"]
    assert sorted((m.to[0], m.subject) for m in got if m.to != [STEWARD]) == partner_messages(new)
    assert digest_lines(got) == of_steward(new)
    # Resolved: reminded on the 8th, report accepted by the 15th, no word about June since.
    reminded = {k[2] for k in expected(files, FIRST) if k[0] == "reminder_due_soon"}
    resolved = {
        p
        for p in reminded
        if any(
            f.partner == p and f.period == "2026-06" and f.accepted and f.arrival.date() <= SECOND
            for f in files
        )
    }
    assert resolved
    for m in got:
        for p in resolved:
            assert not (m.to[0].startswith(p.lower()) and "giugno" in m.subject)
            assert f"{p} 2026-06" not in m.body


def test_status_json_shows_the_generator_statuses(module_home: Path, scenario) -> None:
    out = subprocess.run(
        [str(CLI), "status", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        check=True,
    )
    got = {(r["partner"], r["period"]): r["status"] for r in json.loads(out.stdout)}
    want = {
        (pm["partner"], pm["period"]): pm["expected_calendar_status"]
        for pm in scenario["manifest"]["partner_months"]
    }
    want |= {(ANOMALOUS, p): "on_time" for p in PERIODS[:6]}
    assert {k: got[k] for k in want} == want
    rest = {k: v for k, v in got.items() if k not in want}
    assert set(rest.values()) == {"missing"}  # nobody else sent anything
    assert len(got) == 28 * len(PERIODS)


def test_cli_dry_run_prints_and_neither_sends_nor_records(
    module_home: Path, scenario, smtp_server: SmtpServer
) -> None:
    log = module_home / "logs" / "alerts.jsonl"
    before = log.read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSSERVATORIO_SMTP")}
    env |= {
        "OSSERVATORIO_SMTP_HOST": smtp_server.host,
        "OSSERVATORIO_SMTP_PORT": str(smtp_server.port),
    }
    out = subprocess.run(
        [str(CLI), "alerts", "--as-of", "2026-07-22", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert "dry run: nothing sent or recorded" in out.stdout
    assert (
        "--- to partner P04 <p04@partner.example>: [Osservatorio] Rendiconto di giugno "
        "2026 mancante" not in out.stdout
    )  # P04's late June arrived on the 21st
    assert re.search(
        r"^--- to partner P06 <p06@partner.example>: \[Osservatorio\] Rendiconto "
        r"di giugno 2026 mancante \(scadenza 10/07/2026\)$",
        out.stdout,
        re.M,
    )
    assert log.read_text() == before and smtp_server.mailbox.take() == []
