"""A failed Dagster run reaches the steward over SMTP through the run failure sensor; the
daily alerts job says so when there is no SMTP server to send with."""

from __future__ import annotations

import re

import dagster as dg
import pytest

from tests.alerting.smtp_server import STEWARD, SmtpServer


@pytest.fixture(scope="module")
def definitions():
    from pipelines.definitions import defs

    return defs()


def test_a_failed_run_alerts_the_steward_once(
    home, smtp_server: SmtpServer, definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp_server.env(monkeypatch)
    monkeypatch.delenv("OSSERVATORIO_SECRET_KEY")  # ingestion refuses to run without it
    smtp_server.mailbox.take()
    instance = dg.DagsterInstance.ephemeral()
    result = definitions.resolve_job_def("ingest_and_build").execute_in_process(
        instance=instance, raise_on_error=False
    )
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    (record,) = instance.get_records_for_run(
        result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records
    sensor = definitions.resolve_sensor_def("run_failure_alerts")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alerts",
        dagster_event=record.event_log_entry.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
    ).for_run_failure()
    sensor(context)
    (mail,) = smtp_server.mailbox.take()
    assert mail.to == [STEWARD]
    assert mail.subject == (
        f"[Osservatorio] Pipeline run failed: ingest_and_build (run {result.run_id[:8]})"
    )
    assert (
        f"- [run_failed] Pipeline run failed: job ingest_and_build, run {result.run_id[:8]};"
        " failed steps: raw_tables; errors: SettingsError: No pseudonymisation key"
    ) in (mail.body)
    sensor(context)  # the same run again: nothing new
    assert smtp_server.mailbox.take() == []
    log = (home / "logs" / "alerts.jsonl").read_text()
    assert f"run_failed|steward|-|-|{result.run_id}|-" in log


def test_the_daily_job_says_when_alerts_go_to_the_log_only(home, definitions) -> None:
    schedule = definitions.resolve_schedule_def("daily_alerts")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.execution_timezone == "Europe/Rome"
    result = definitions.resolve_job_def("evaluate_alerts").execute_in_process(
        run_config={"ops": {"deliver_alerts": {"config": {"as_of": "2026-07-08"}}}},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    (output,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT]
    meta = output.step_output_data.metadata
    assert meta["delivery"].value == "log only: no SMTP settings"
    assert "no warehouse has been built yet: nothing to evaluate" in str(meta["notes"].value)


def test_a_failed_blocking_check_is_named_in_its_own_alert(
    home, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.defs.alerting.sensors import failed_blocking_checks, run_failure_alerts

    @dg.asset
    def submissions() -> int:
        return 1

    @dg.asset_check(asset=submissions, blocking=True)
    def unique_sha256() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR)

    @dg.asset(deps=[submissions])
    def indicator_values() -> int:
        return 2

    d = dg.Definitions(
        assets=[submissions, indicator_values],
        asset_checks=[unique_sha256],
        jobs=[dg.define_asset_job("checked", selection="*")],
    )
    instance = dg.DagsterInstance.ephemeral()
    result = d.resolve_job_def("checked").execute_in_process(
        instance=instance, raise_on_error=False
    )
    assert not result.success
    assert failed_blocking_checks(instance, result.run_id) == [("submissions", "unique_sha256")]
    smtp_server.env(monkeypatch)
    smtp_server.mailbox.take()
    (record,) = instance.get_records_for_run(
        result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records
    run_failure_alerts(
        dg.build_run_status_sensor_context(
            sensor_name="run_failure_alerts",
            dagster_event=record.event_log_entry.dagster_event,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
        ).for_run_failure()
    )
    (mail,) = smtp_server.mailbox.take()
    assert re.fullmatch(r"\[Osservatorio\] 2 new alerts as of \d{4}-\d\d-\d\d", mail.subject)
    assert (
        f"- [check_failed] Blocking check failed: unique_sha256 on submissions (run "
        f"{result.run_id[:8]}); the analysts' copy was not refreshed"
    ) in mail.body
