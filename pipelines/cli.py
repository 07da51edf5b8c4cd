"""`osservatorio`: the command line, thin wiring over the stages (interfaces.md).

Heavy libraries (Great Expectations, Dagster, dbt) are imported inside the commands that
need them, so `--help`, `template` and `status` answer at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import shutil
import sys
from pathlib import Path

from pipelines.period import PERIOD_RE
from pipelines.settings import SettingsError
from pipelines.warehouse.errors import BuildError

WORKSPACE_MARKER = ".osservatorio-workspace"
# The demo's people continue their paths (POV then a job placement, arrears again): its
# cohorts (marts.cohort_outcomes) are not empty.
DEMO_FOLLOW_UP_PATHS = 0.35
log = logging.getLogger("pipelines.cli")


def period_arg(text: str) -> str:
    """`--period`: a YYYY-MM month, else argparse's usage error (exit status 2)."""
    if not PERIOD_RE.match(text):
        raise argparse.ArgumentTypeError(f"must be YYYY-MM, got {text!r}")
    return text


def _settings(home: Path | None = None):
    from pipelines import settings

    return settings.load(home)


def _setup_logging(home: Path) -> None:
    from pipelines import logs

    logs.setup(home / "logs")


# --- check -------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from pipelines.validation import precheck

    if args.serve:
        return _serve_checks(precheck)
    if args.file is None or args.partner is None or args.period is None:
        print(
            "usage: osservatorio check FILE --partner P07 --period YYYY-MM [--format json]"
            " | osservatorio check --serve\nerror: FILE, --partner and --period are required",
            file=sys.stderr,
        )
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"error: file not found: {path}", file=sys.stderr)
        return 2
    settings = _settings()
    partner = args.partner.strip().upper()
    # a warm server's answer when one runs for this workspace, else the check done here
    answer = precheck.ask(path, partner, args.period, args.format, settings)
    status, text = answer or precheck.run(path, partner, args.period, args.format, settings)
    print(text)
    return status


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _serve_checks(precheck) -> int:  # type: ignore[no-untyped-def]
    import signal

    signal.signal(signal.SIGTERM, _interrupt)  # a plain `kill` ends it as Ctrl-C does
    settings = _settings()
    _setup_logging(settings.home)
    where = precheck.socket_path(settings.home)
    try:
        precheck.serve(settings, ready=lambda: print(f"pre-check server on {where}", flush=True))
    except precheck.AlreadyServing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


# --- ingest / build ---------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines.ingest import ingest

    settings = _settings()
    _setup_logging(settings.home)
    s = ingest(settings)
    print(
        f"{s.new} new files of {s.seen} in the inbox: {s.accepted} accepted, "
        f"{s.accepted_with_warnings} accepted with warnings, {s.rejected} rejected, "
        f"{s.held} held for an approved month ({s.rows_accepted} rows accepted)."
    )
    for r in s.released:
        print(f"Applied {r.partner} {r.period} {r.file_name}: held until the month was reopened.")
    for p in s.problems:
        print(f"  {p.as_text()}")
    print(f"Feedback for partners: {settings.home / 'outbox'}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from pipelines.warehouse.build import build_warehouse
    from pipelines.warehouse.errors import PublicationBlocked

    settings = _settings()
    _setup_logging(settings.home)
    try:
        plan = build_warehouse(settings, full_refresh=args.full_refresh)
    except PublicationBlocked as exc:
        _alert_blocked_publication(settings, str(exc))
        raise
    where, copy = _warehouse_names(settings)
    if plan.up_to_date:
        print(f"Warehouse current (nothing changed since the last build): {where}")
        return 0
    what = (
        "rebuilt in full"
        if plan.full_refresh
        else f"months from {plan.changed_from} recomputed"
        if plan.changed_from <= plan.last_period
        else "no month changed; calendar and quality tables refreshed"
    )
    print(f"Warehouse built ({what}): {where}")
    print(copy)
    return 0


def _warehouse_names(settings) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Where the warehouse is (a PostgreSQL URL without its password), and what analysts read."""
    if settings.warehouse_url is not None:
        return (
            settings.warehouse_url.masked(),
            "Analysts read schema marts there as osservatorio_reader (read-only).",
        )
    return (
        str(settings.home / "warehouse.duckdb"),
        f"Read-only copy for analysts: {settings.home / 'published' / 'warehouse.duckdb'}",
    )


def _alert_blocked_publication(settings, message: str) -> None:  # type: ignore[no-untyped-def]
    """The steward hears of a publication the audit stopped, as of a failed blocking check."""
    import datetime as dt

    from pipelines.alerting.run import run_failure

    run_id = "cli-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    run_failure(
        settings,
        "osservatorio build",
        run_id,
        [],
        [message],
        [("no_suppressed_cell_recoverable", "marts/indicator_values")],
    )


# --- status -----------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    from pipelines.alerting import calendar

    settings = _settings()
    published = settings.home / "published" / "warehouse.duckdb"
    if not published.exists():
        print(
            f"No warehouse has been built yet in {settings.home}: run `osservatorio ingest` "
            "and `osservatorio build` (or `osservatorio demo`).",
            file=sys.stderr,
        )
        return 2
    rows = calendar.load(published, args.period)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(calendar.as_table(rows))
    return 0


# --- approve / reopen -------------------------------------------------------------------


def _rebuild_after(settings) -> None:
    """The calendar and the finality of the figures follow at once (a small build)."""
    from pipelines.warehouse.build import build_warehouse

    try:
        build_warehouse(settings)
    except BuildError as exc:
        print(f"warning: recorded, but the warehouse build failed: {exc}", file=sys.stderr)
        return
    print("Warehouse rebuilt: `osservatorio status` and marts.period_approvals show it.")


def cmd_approve(args: argparse.Namespace) -> int:
    from pipelines.approval.steward import approve

    settings = _settings()
    _setup_logging(settings.home)
    partner = args.partner.strip().upper() if args.partner else None
    try:
        out = approve(settings, args.period, args.by, partner, args.note)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p, m, sha in out.done:
        print(f"approved {p} {m} (version {str(sha)[:12]}) by {args.by.strip()}")
    for p, m, why in out.refused:
        print(f"not approved {p} {m}: {why}", file=sys.stderr)
    if not out.ok:
        print("Nothing could be approved.", file=sys.stderr)
        return 1
    _rebuild_after(settings)
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    from pipelines.approval.steward import reopen

    settings = _settings()
    _setup_logging(settings.home)
    try:
        out = reopen(settings, args.period, args.partner.strip().upper(), args.by, args.reason)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p, m, why in out.refused:
        print(f"not reopened {p} {m}: {why}", file=sys.stderr)
    if not out.ok:
        return 1
    for p, m, _ in out.done:
        print(f"reopened {p} {m} by {args.by.strip()}: {args.reason.strip()}")
    print("Files held for this month are applied at the next `osservatorio ingest`.")
    _rebuild_after(settings)
    return 0


# --- alerts -----------------------------------------------------------------------------


def cmd_alerts(args: argparse.Namespace) -> int:
    import datetime as dt
    import re

    as_of = None
    if args.as_of:
        try:
            as_of = (
                dt.date.fromisoformat(args.as_of)
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.as_of)
                else None
            )
        except ValueError:
            as_of = None
        if as_of is None:
            print(f"error: --as-of must be YYYY-MM-DD, got {args.as_of!r}", file=sys.stderr)
            return 2
    from pipelines.alerting.run import run_alerts

    settings = _settings()
    _setup_logging(settings.home)
    result = run_alerts(settings, as_of, dry_run=args.dry_run)
    if args.dry_run:
        for m in [*result.messages, *result.unsent]:
            to = m.to or "no address set: it would go to the log only"
            print(f"--- to {m.recipient} <{to}>: {m.subject}")
            print(m.body)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(result.summary())
    print(f"Alert log: {settings.home / 'logs' / 'alerts.jsonl'}")
    return 0


# --- template ---------------------------------------------------------------------------


def cmd_template(args: argparse.Namespace) -> int:
    from pipelines.ingestion.template import write_template

    out = write_template(Path(args.out))
    print(f"Modello scritto in {out}")
    return 0


# --- demo -------------------------------------------------------------------------------


def _fresh_workspace(home: Path) -> None:
    if home.exists() and any(home.iterdir()) and not (home / WORKSPACE_MARKER).exists():
        raise SettingsError(
            f"{home} is not empty and is not an Osservatorio workspace: the demo will not "
            "overwrite it. Set OSSERVATORIO_HOME to an empty or new folder."
        )
    if home.exists():
        for child in home.iterdir():
            if child.is_dir() and not child.is_symlink():
                for sub in child.rglob("*"):
                    if sub.is_file():
                        sub.chmod(0o644)
                shutil.rmtree(child)
            elif child.name != WORKSPACE_MARKER:
                child.unlink()
    home.mkdir(parents=True, exist_ok=True)
    (home / WORKSPACE_MARKER).write_text("Osservatorio workspace\n")


def _demo_key(home: Path) -> None:
    if os.environ.get("OSSERVATORIO_SECRET_KEY") or os.environ.get("OSSERVATORIO_SECRET_KEY_FILE"):
        return
    key_file = home / ".demo_secret_key"
    key_file.write_text(secrets.token_hex(32))
    key_file.chmod(0o600)
    os.environ["OSSERVATORIO_SECRET_KEY_FILE"] = str(key_file)
    print(
        f"Demo key: no pseudonymisation key was set, so the demo made its own ({key_file});\n"
        "          never use it in production (set OSSERVATORIO_SECRET_KEY_FILE)."
    )


def demo_periods(start: str, end: str, today) -> list[str]:
    """Months from the start whose report was due by today (capped at the last month)."""
    from pipelines import period

    return period.due_by(start, end, today)


def cmd_demo(args: argparse.Namespace) -> int:
    import datetime as dt

    home = Path(os.environ.get("OSSERVATORIO_HOME", "") or "data").resolve()
    _fresh_workspace(home)
    os.environ["OSSERVATORIO_HOME"] = str(home)
    print(f"Demo workspace: {home}")
    _demo_key(home)
    settings = _settings(home)
    _setup_logging(home)
    periods = demo_periods(settings.start_period, settings.end_period, dt.date.today())
    if not periods:
        print("No month of the partnership has been due yet: nothing to simulate.")
        return 0
    from pipelines.synthetic.generator import GeneratorConfig, generate

    print(
        f"1/3 Synthetic reports of {args.partners} partners, {periods[0]} to {periods[-1]} "
        f"({len(periods)} months), into {home / 'inbox'}"
    )
    generate(
        home / "inbox",
        GeneratorConfig(
            seed=args.seed,
            partners=args.partners,
            start_period=periods[0],
            months=len(periods),
            rows_per_file=args.rows,
            follow_up_paths=DEMO_FOLLOW_UP_PATHS,
        ),
        manifest_path=home / "synthetic" / "synthetic_manifest.json",
    )
    run_log = home / "logs" / "demo_run.log"
    print(f"2/3 The pipeline, Dagster job ingest_and_build (its full output: {run_log})")
    from pipelines.orchestration import run_main_job

    if not run_main_job(log_file=run_log):
        print(
            f"error: the pipeline run failed; the last lines of {run_log} say why.", file=sys.stderr
        )
        return 1
    print("3/3 The month's report, the partners' scorecards and the Excel export")
    from pipelines.reporting.publish import ReportError, write_all

    try:
        written = write_all(settings)
    except ReportError as exc:
        print(f"error: no report: {exc}", file=sys.stderr)
        return 1
    from pipelines.portal.commands import demo_accounts

    _print_demo_summary(home, written, demo_accounts(home))
    return 0


def _print_demo_summary(home: Path, written, accounts: list[str]) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        counts = dict(
            con.execute("select status, count(*) from marts.submissions group by status").fetchall()
        )
        latest = dict(
            con.execute(
                'select "window", display_value from marts.indicator_values '
                "where indicator_code = 'REACH_PERSONS' and scope = 'partnership' "
                "and period = (select max(period) from marts.dim_period where is_due)"
            ).fetchall()
        )
        period = con.execute("select max(period) from marts.dim_period where is_due").fetchone()
    finally:
        con.close()
    accepted = counts.get("accepted", 0) + counts.get("accepted_with_warnings", 0)
    print()
    print(
        f"Files: {accepted} accepted ({counts.get('accepted_with_warnings', 0)} with warnings), "
        f"{counts.get('rejected', 0)} rejected; the partners' feedback is in {home / 'outbox'}."
    )
    # "This month" is the latest period whose reports were due: the month just ended is not.
    print(
        f"Persons reached (REACH_PERSONS, partnership) in {period[0] if period else '-'}, the "
        f"latest month due: {latest.get('month', '-')}; since the start: "
        f"{latest.get('cumulative', '-')}."
    )
    print(
        f"Warehouse: {home / 'warehouse.duckdb'}; analysts' read-only copy: "
        f"{home / 'published' / 'warehouse.duckdb'}"
    )
    print(f"Excel export: {written.excel}")
    print(
        f"Scorecards: {len(written.scorecards)}, in {home / 'outbox'}/<PARTNER>/"
        f"{written.html.stem.removeprefix('report_')}/"
    )
    for line in accounts:  # the portal's demo accounts: `osservatorio portal` serves it
        print(line)
    if written.pdf:
        print(f"Report (PDF): {written.pdf}")
    else:
        print(f"Report (PDF): not written: {written.pdf_problem}")
    print(f"Report: {written.html}")


# --- report -----------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.reporting.publish import ReportError, write_all

    settings = _settings()
    _setup_logging(settings.home)
    try:
        written = write_all(settings, args.period)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Report (HTML):   {written.html}")
    print(
        f"Report (PDF):    {written.pdf}"
        if written.pdf
        else f"Report (PDF):    not written: {written.pdf_problem}"
    )
    print(f"Excel export:    {written.excel}")
    print(
        f"Scorecards:      {len(written.scorecards)} in "
        f"{settings.home / 'outbox'}/<PARTNER>/{args.period}/"
    )
    return 0


# --- portal -----------------------------------------------------------------------------


def cmd_portal(args: argparse.Namespace) -> int:
    from pipelines.portal.server import serve

    settings = _settings()
    settings.require_key()  # the portal records what partners send
    _setup_logging(settings.home)
    print(f"Portal on http://{args.host}:{args.port}/ (workspace {settings.home})")
    serve(args.host, args.port)
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    from pipelines.portal import commands

    if args.action == "disable":
        return commands.user_disable(args.email)
    if not args.password_stdin:
        print("error: give the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    return commands.user_add(args.email, args.role, args.partner, password)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="osservatorio", description="Osservatorio: partner reports in, indicators out."
    )
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="fresh workspace with synthetic drops, then the pipeline")
    d.add_argument("--partners", type=int, default=28)
    d.add_argument("--rows", type=int, default=60, help="mean interventions per monthly file")
    d.add_argument("--seed", type=int, default=7)
    d.set_defaults(func=cmd_demo)
    c = sub.add_parser("check", help="validate one file exactly as ingestion would; writes nothing")
    c.add_argument("file", nargs="?")
    c.add_argument("--partner", help="partner code, e.g. P07 (required with FILE)")
    c.add_argument("--period", type=period_arg, help="YYYY-MM (required with FILE)")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.add_argument(
        "--serve",
        action="store_true",
        help="keep the validation loaded and answer the workspace's checks (until Ctrl-C)",
    )
    c.set_defaults(func=cmd_check)
    sub.add_parser("ingest", help="process every new file in the inbox").set_defaults(
        func=cmd_ingest
    )
    b = sub.add_parser(
        "build",
        help="rebuild the warehouse models and indicators (dbt): the "
        "months whose data changed since the last build",
    )
    b.add_argument("--full-refresh", action="store_true", help="recompute every month from scratch")
    b.set_defaults(func=cmd_build)
    t = sub.add_parser("template", help="write the partners' Excel template")
    t.add_argument("--out", required=True)
    t.set_defaults(func=cmd_template)
    s = sub.add_parser("status", help="the submission calendar")
    s.add_argument("--period", type=period_arg, help="YYYY-MM")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_status)
    a = sub.add_parser("alerts", help="evaluate the alert rules and deliver what is new")
    a.add_argument("--as-of", help="YYYY-MM-DD (Europe/Rome); default today")
    a.add_argument("--dry-run", action="store_true", help="print, send nothing, record nothing")
    a.set_defaults(func=cmd_alerts)
    ap = sub.add_parser(
        "approve",
        help="approve (lock) the current accepted version of a "
        "partner-month, or of every partner with one in that month",
    )
    ap.add_argument("--period", required=True, type=period_arg, help="YYYY-MM")
    ap.add_argument("--partner", help="partner code, e.g. P07 (default: every partner)")
    ap.add_argument("--by", required=True, help="who approves")
    ap.add_argument("--note")
    ap.set_defaults(func=cmd_approve)
    ro = sub.add_parser("reopen", help="reopen an approved partner-month (a reason is required)")
    ro.add_argument("--period", required=True, type=period_arg, help="YYYY-MM")
    ro.add_argument("--partner", required=True, help="partner code, e.g. P07")
    ro.add_argument("--by", required=True, help="who reopens")
    ro.add_argument("--reason", required=True)
    ro.set_defaults(func=cmd_reopen)
    r = sub.add_parser("report", help="the month's report, scorecards and Excel export")
    r.add_argument("--period", required=True, type=period_arg, help="YYYY-MM")
    r.set_defaults(func=cmd_report)
    w = sub.add_parser("portal", help="serve the partner portal (gunicorn)")
    w.add_argument("--host", default="127.0.0.1")
    w.add_argument("--port", type=int, default=8000)
    w.set_defaults(func=cmd_portal)
    u = sub.add_parser("user", help="portal accounts").add_subparsers(dest="action", required=True)
    ua = u.add_parser("add", help="create an account (exit 1 if it exists)")
    ua.add_argument("email")
    ua.add_argument("--role", required=True, choices=["partner", "steward", "analyst"])
    ua.add_argument("--partner", help="partner code, for a partner account")
    ua.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    ua.set_defaults(func=cmd_user)
    ud = u.add_parser("disable", help="the account can no longer sign in; its history stays")
    ud.add_argument("email")
    ud.set_defaults(func=cmd_user)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # bad usage (said by argparse, exit 2) or --help (0)
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # an operator reads one line; the log keeps the traceback
        log = logging.getLogger("pipelines.cli")
        if log.parent is not None and log.parent.handlers:  # the workspace log, once set up
            log.error("%s failed", args.command, exc_info=True)
        print(
            f"error: {args.command} failed: {type(exc).__name__}: {exc} "
            "(details in logs/osservatorio.log of the workspace)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
