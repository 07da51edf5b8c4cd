"""The rules on constructed facts, without a warehouse: the anomaly score on histories,
the calendar rules' windows and cadences, the texts (Italian for partners, no personal data)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from pipelines.alerting import rules
from pipelines.alerting.config import AlertConfig
from pipelines.alerting.facts import Facts, Figure, PartnerMonth, RejectedFile

ROME = ZoneInfo("Europe/Rome")
CONFIG = AlertConfig()
PERIODS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]


def due(period: str) -> dt.date:
    y, m = int(period[:4]), int(period[5:])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return dt.date(y, m, 10)


def cutoff(day: dt.date) -> dt.datetime:
    nxt = day + dt.timedelta(days=1)
    return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=ROME)


def history_facts(
    series: dict[str, list[tuple[int, int, float] | None]], as_of: dt.date, area: str = "POV"
) -> Facts:
    """Each partner's months in order of PERIODS: (interventions, persons, amount) of one
    area, or None for a month it did not report."""
    facts = Facts(cutoff=cutoff(as_of))
    for partner, months in series.items():
        for period, figures in zip(PERIODS, months, strict=False):
            facts.partner_months.append(PartnerMonth(partner, period, due(period), 1, 1, 0))
            if figures is None:
                continue
            facts.reported.add((partner, period))
            facts.figures.append(Figure(partner, period, area, *figures))
    return facts


# --- the anomaly rule --------------------------------------------------------------------

NORMAL = [
    (20, 18, 2000.0),
    (22, 19, 2150.0),
    (19, 17, 1900.0),
    (21, 18, 2100.0),
    (20, 18, 2050.0),
    (23, 20, 2200.0),
]
AS_OF = dt.date(2026, 8, 5)  # July, due on 10 August, is the month looked at


def test_a_real_jump_alerts_on_every_figure_that_jumped() -> None:
    facts = history_facts({"P01": [*NORMAL, (60, 55, 2100.0)]}, AS_OF)
    alerts = list(rules.anomalies(facts, AS_OF, CONFIG))
    assert [(a.rule, a.audience, a.partner, a.period, a.detail) for a in alerts] == [
        ("anomaly", "steward", "P01", "2026-07", "POV")
    ]
    measures = {m["measure"]: m for m in alerts[0].facts["measures"]}
    assert set(measures) == {"interventions", "persons"}  # the amount stayed where it was
    assert measures["interventions"]["value"] == 60
    assert measures["interventions"]["median"] == 20.5
    assert measures["interventions"]["months"] == 6
    assert measures["interventions"]["score"] > 3.5
    assert rules.steward_line(alerts[0], "it").startswith(
        "P01 2026-07 area POV: lontano dai mesi precedenti: interventi 60 (mediana 20,5 su 6 "
        "mesi, di solito da 19 a 23, punteggio +"
    )


def test_a_drop_to_nothing_alerts_too() -> None:
    facts = history_facts({"P01": [*NORMAL, (0, 0, 0.0)]}, AS_OF)
    (alert,) = rules.anomalies(facts, AS_OF, CONFIG)
    assert {m["measure"] for m in alert.facts["measures"]} == set(rules.MEASURES)
    assert all(m["score"] < 0 for m in alert.facts["measures"])


def test_normal_noise_does_not_alert() -> None:
    for month in [(24, 21, 2300.0), (17, 15, 1800.0), (25, 22, 2500.0)]:
        facts = history_facts({"P01": [*NORMAL, month]}, AS_OF)
        assert list(rules.anomalies(facts, AS_OF, CONFIG)) == [], month


def test_too_little_history_does_not_alert() -> None:
    # Three reported months before July (April was not reported): below the minimum of 4.
    few = [None, None, (20, 18, 2000.0), None, (21, 18, 2100.0), (20, 18, 2050.0), (90, 80, 9e3)]
    facts = history_facts({"P02": few}, AS_OF)
    assert list(rules.anomalies(facts, AS_OF, CONFIG)) == []
    # A sparse activity (an amount paid in one month of six) has no history either.
    sparse = [
        (20, 18, 0.0),
        (22, 19, 0.0),
        (19, 17, 600.0),
        (21, 18, 0.0),
        (20, 18, 0.0),
        (23, 20, 0.0),
        (21, 19, 3000.0),
    ]
    facts = history_facts({"P03": sparse}, AS_OF)
    assert list(rules.anomalies(facts, AS_OF, CONFIG)) == []


def test_small_numbers_need_a_real_change() -> None:
    tiny = [
        (2, 2, 0.0),
        (1, 1, 0.0),
        (2, 2, 0.0),
        (1, 1, 0.0),
        (2, 2, 0.0),
        (1, 1, 0.0),
        (5, 5, 0.0),
    ]
    facts = history_facts({"P04": tiny}, AS_OF)
    assert list(rules.anomalies(facts, AS_OF, CONFIG)) == []


def test_only_recent_months_are_looked_at() -> None:
    facts = history_facts({"P01": [*NORMAL, (60, 55, 2100.0)]}, AS_OF)
    later = AS_OF + dt.timedelta(days=CONFIG.anomaly_lookback_days + 10)
    assert list(rules.anomalies(facts, later, CONFIG)) == []


def test_robust_score() -> None:
    assert rules.robust_score([10, 10, 10], 50, min_history=4) is None
    assert rules.robust_score([10, 10, 10, 10], 50, min_history=4) == 40  # scale floored at 1
    score = rules.robust_score([20, 22, 19, 21, 20, 23], 60, min_history=4)
    assert score is not None and 25 < score < 30  # (60 - 20.5) / (1.4826 * 1.0)


# --- the calendar rules ------------------------------------------------------------------


def calendar(*pms: PartnerMonth, as_of: dt.date) -> Facts:
    return Facts(cutoff=cutoff(as_of), partner_months=list(pms))


def test_reminder_from_three_days_before_the_due_date_while_nothing_arrived() -> None:
    pm = PartnerMonth("P01", "2026-06", dt.date(2026, 7, 10), 0, 0, 0)
    days = {
        d: list(rules.reminders(calendar(pm, as_of=d), d, CONFIG))
        for d in (
            dt.date(2026, 7, 6),
            dt.date(2026, 7, 7),
            dt.date(2026, 7, 10),
            dt.date(2026, 7, 11),
        )
    }
    assert [d.day for d, alerts in days.items() if alerts] == [7, 10]
    assert {a.key for d in days for a in days[d]} == {"reminder_due_soon|partner|P01|2026-06|-|-"}
    arrived = dataclasses.replace(pm, files=1)  # even a rejected file: that rule speaks then
    assert (
        list(
            rules.reminders(
                calendar(arrived, as_of=dt.date(2026, 7, 8)), dt.date(2026, 7, 8), CONFIG
            )
        )
        == []
    )


def test_missing_repeats_weekly_at_most_and_stops_when_accepted() -> None:
    pm = PartnerMonth("P02", "2026-06", dt.date(2026, 7, 10), 0, 0, 0)
    keys = []
    for offset in range(0, 70):
        day = dt.date(2026, 7, 10) + dt.timedelta(days=offset)
        keys += [
            a.key
            for a in rules.missing(calendar(pm, as_of=day), day, CONFIG)
            if a.audience == "partner"
        ]
    distinct = sorted(set(keys), key=keys.index)
    assert distinct == [f"report_missing|partner|P02|2026-06|-|week{n}" for n in range(1, 9)]
    assert keys.count(distinct[0]) == 7  # the same alert all week: delivered once
    accepted = dataclasses.replace(pm, files=2, accepted_files=1)
    day = dt.date(2026, 7, 20)
    assert list(rules.missing(calendar(accepted, as_of=day), day, CONFIG)) == []
    rejected_only = dataclasses.replace(pm, files=2, open_rejections=2)
    audiences = [a.audience for a in rules.missing(calendar(rejected_only, as_of=day), day, CONFIG)]
    assert audiences == ["partner", "steward"]


def test_rejections_to_the_partner_then_to_the_steward_at_the_second() -> None:
    day = dt.date(2026, 7, 8)
    received = dt.datetime(2026, 7, 3, 2, 3, tzinfo=dt.UTC)
    f = RejectedFile(
        "P05",
        "2026-06",
        2,
        "ab" * 32,
        received,
        3,
        "outbox/P05/2026-06/esito_abababab_giugno.html",
        (("codice_fiscale_check_char", 2), ("data_fuori_mese", 1)),
        error_columns=(("Codice fiscale", 2), ("", 1)),
    )
    once = calendar(PartnerMonth("P05", "2026-06", dt.date(2026, 7, 10), 1, 0, 1), as_of=day)
    once.rejected_files = [f]
    alert, to_steward = rules.rejections(once, day, CONFIG)
    assert alert.key == f"file_rejected|partner|P05|2026-06|{'ab' * 6}|-"
    assert to_steward.key == f"file_rejected|steward|P05|2026-06|{'ab' * 6}|-"
    assert rules.steward_line(to_steward, "en") == (
        "P05 2026-06: file  received 2026-07-03 04:03 rejected (3 errors: "
        "codice_fiscale_check_char (2), data_fuori_mese (1)); feedback: "
        "outbox/P05/2026-06/esito_abababab_giugno.html"
    )
    subject, body = rules.partner_text(alert)
    assert subject == "File respinto: rendiconto di giugno 2026"
    assert "ricevuto il 03/07/2026 alle 04:03" in body  # Europe/Rome time
    assert "(3 errori)" in body
    assert "outbox/P05/2026-06/esito_abababab_giugno.html" in body
    # the partner reads its own column names, never rule ids (the steward's line has them)
    assert (
        "I problemi riguardano la colonna «Codice fiscale» (2 errori), il file nel suo "
        "insieme (1 errore)."
    ) in body
    assert "codice_fiscale_check_char" not in body and "data_fuori_mese" not in body
    twice = calendar(PartnerMonth("P05", "2026-06", dt.date(2026, 7, 10), 2, 0, 2), as_of=day)
    twice.rejected_files = [f]
    assert [a.rule for a in rules.rejections(twice, day, CONFIG)] == [
        "file_rejected",
        "file_rejected",
        "rejected_repeatedly",
    ]
    # A rejection older than the look-back is the missing-report rule's business now.
    late = day + dt.timedelta(days=CONFIG.rejection_lookback_days + 1)
    twice.cutoff = cutoff(late)
    assert [a.rule for a in rules.rejections(twice, late, CONFIG)] == ["rejected_repeatedly"]


def test_staleness_once_per_spell() -> None:
    last = dt.datetime(2026, 6, 1, 10, tzinfo=ROME)
    facts = Facts(
        cutoff=cutoff(dt.date(2026, 7, 1)),
        last_accepted_at=last,
        first_due_date=dt.date(2026, 2, 10),
    )
    assert list(rules.staleness(facts, dt.date(2026, 6, 30), CONFIG)) == []
    (alert,) = rules.staleness(facts, dt.date(2026, 7, 1), CONFIG)
    assert alert.key == "data_stale|steward|-|-|2026-06-01|-"
    assert "for 30 days (last accepted file received on 2026-06-01)" in rules.steward_line(
        alert, "en"
    )
    assert "da 30 giorni" in rules.steward_line(alert, "it")
    (again,) = rules.staleness(facts, dt.date(2026, 7, 9), CONFIG)
    assert again.key == alert.key  # the same spell: delivered once


def test_run_failure_alerts() -> None:
    alerts = rules.run_failure_alerts(
        "ingest_and_build",
        "0123456789abcdef",
        ["raw_tables"],
        ["SettingsError: No pseudonymisation key"],
        [("marts/submissions", "unique_submissions_sha256")],
    )
    assert [a.key for a in alerts] == [
        "run_failed|steward|-|-|0123456789abcdef|-",
        "check_failed|steward|-|-|0123456789abcdef:marts/submissions:unique_submissions_sha256|-",
    ]
    assert rules.steward_line(alerts[0], "en") == (
        "Pipeline run failed: job ingest_and_build, run 01234567; failed steps: raw_tables; "
        "errors: SettingsError: No pseudonymisation key"
    )
    assert "Controllo bloccante fallito: unique_submissions_sha256 su marts/submissions" in (
        rules.steward_line(alerts[1], "it")
    )


@pytest.mark.parametrize("code", sorted(rules.RULES))
def test_every_rule_has_its_texts(code: str) -> None:
    rule = rules.RULES[code]
    assert rule.severity in rules.SEVERITIES
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code)
    if rules.PARTNER in rule.audiences:
        assert rule.partner_subject and rule.partner_body.startswith("Gentile ente {partner}")
    if rules.STEWARD in rule.audiences:
        assert set(rule.steward_line) == {"en", "it"}


def test_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.alerting import config
    from pipelines.settings import SettingsError

    assert config.load() == AlertConfig()
    monkeypatch.setenv("OSSERVATORIO_ALERT_LANGUAGE", "IT")
    monkeypatch.setenv("OSSERVATORIO_ALERT_REMINDER_DAYS", "5")
    monkeypatch.setenv("OSSERVATORIO_ALERT_STALE_DAYS", "45")
    loaded = config.load()
    assert (loaded.language, loaded.reminder_days, loaded.stale_days) == ("it", 5, 45)
    monkeypatch.setenv("OSSERVATORIO_ALERT_STALE_DAYS", "a month")
    with pytest.raises(SettingsError, match="OSSERVATORIO_ALERT_STALE_DAYS"):
        config.load()


@pytest.mark.parametrize("as_of", ["2026-13-08", "08/07/2026", "20260708"])
def test_cli_rejects_a_bad_date(as_of: str, capsys: pytest.CaptureFixture[str]) -> None:
    from pipelines.cli import main

    assert main(["alerts", "--as-of", as_of]) == 2
    assert "--as-of must be YYYY-MM-DD" in capsys.readouterr().err
