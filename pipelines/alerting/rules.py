"""The alert rules: who is due, late, rejected, anomalous; whether the pipeline failed.

Each rule has a stable code, a severity, an audience and its texts: Italian for partners,
English or Italian for the steward (`OSSERVATORIO_ALERT_LANGUAGE`). The rules are pure
functions of the facts (`facts.py`) and a day (Europe/Rome); thresholds and cadences come
from `config.py`. An alert carries only codes, periods, dates, counts and rule ids.

An alert is delivered once: its key is the rule, the audience, the partner, the period, a
detail (a file, an area, a run) and a repeat bucket (the week of lateness of a missing
report). A condition that is resolved produces no alert, so its reminders stop.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pipelines import formats
from pipelines.alerting.config import AlertConfig
from pipelines.alerting.facts import Facts, Figure
from pipelines.period import before as months_before


class Audience(StrEnum):
    """Who an alert is for: a partner (Italian, by e-mail) or the data steward (the digest)."""

    PARTNER = "partner"
    STEWARD = "steward"


PARTNER = Audience.PARTNER
STEWARD = Audience.STEWARD
SEVERITIES = ("error", "warning", "info")  # most severe first
MEASURES = ("interventions", "persons", "amount_eur")
MAD_TO_SIGMA = 1.4826  # the MAD of a normal distribution times this is its sigma

MEASURE_LABELS = {
    "en": {"interventions": "interventions", "persons": "persons", "amount_eur": "amount EUR"},
    "it": {"interventions": "interventi", "persons": "persone", "amount_eur": "importi EUR"},
}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    audiences: tuple[Audience, ...]
    cadence: str
    partner_subject: str = ""  # Italian, str.format over the alert's context
    partner_body: str = ""
    steward_line: Mapping[str, str] = field(default_factory=dict)  # language -> one line
    steward_subject: Mapping[str, str] = field(default_factory=dict)  # when alone (else: line)


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "reminder_due_soon",
            "info",
            (PARTNER,),
            "once per partner-month, from `reminder_days` (3) days before the due date to the "
            "due day, while nothing has arrived",
            partner_subject="Promemoria: rendiconto di {month_it} in scadenza il {due_date_it}",
            partner_body=(
                "Gentile ente {partner},\n\n"
                "non abbiamo ancora ricevuto il rendiconto mensile di {month_it} (periodo {period}),"
                " in scadenza il {due_date_it}.\n"
                "Può depositare il file nella sua cartella inbox/{partner}/{period}/: entro pochi "
                "secondi troverà l'esito del controllo in outbox/{partner}/{period}/.\n\n"
                "Se lo ha già inviato nelle ultime ore, non tenga conto di questo messaggio.\n"
            ),
        ),
        Rule(
            "report_missing",
            "warning",
            (PARTNER, STEWARD),
            "after the due date, every `missing_repeat_days` (7) while no file is accepted, at "
            "most `missing_max_reminders` (8) times",
            partner_subject="Rendiconto di {month_it} mancante (scadenza {due_date_it})",
            partner_body=(
                "Gentile ente {partner},\n\n"
                "il rendiconto mensile di {month_it} (periodo {period}) era atteso entro il "
                "{due_date_it} e non risulta ancora {state_it}.\n"
                "{files_note_it}\n\n"
                "La preghiamo di depositarlo al più presto nella cartella inbox/{partner}/{period}/."
                " Per qualsiasi difficoltà può rivolgersi al referente dell'osservatorio.\n"
            ),
            steward_line={
                "en": "{partner} {period}: report missing, due {due_date} ({days_late_en} ago)"
                "{files_note_en}",
                "it": "{partner} {period}: rendiconto mancante, scadenza {due_date_it} "
                "({days_late_it} fa){files_note_it_short}",
            },
        ),
        Rule(
            "file_rejected",
            "warning",
            (PARTNER, STEWARD),
            "once per rejected file: the latest of its partner-month, received in the last "
            "`rejection_lookback_days` (30) and not followed by an accepted file",
            steward_line={
                "en": "{partner} {period}: file {file_name} received {received_date} "
                "{received_time} rejected ({errors_en}{rules_note_en}); feedback: "
                "{feedback_it}",
                "it": "{partner} {period}: file {file_name} ricevuto il {received_date_it} alle "
                "{received_time} respinto ({errors_it}{rules_note_it_short}); esito: "
                "{feedback_it}",
            },
            partner_subject="File respinto: rendiconto di {month_it}",
            partner_body=(
                "Gentile ente {partner},\n\n"
                "il file del rendiconto di {month_it} (periodo {period}) ricevuto il "
                "{received_date_it} alle {received_time} è stato respinto ({errors_it}): "
                "nessun dato di questo file è entrato nell'osservatorio.\n\n"
                "L'esito del controllo, con ogni problema indicato per riga e colonna come le vede "
                "nel suo foglio, è qui:\n{feedback_it}\n"
                "{rules_note_it}\n"
                "Corregga il file e lo invii di nuovo per intero, come di consueto.\n"
            ),
        ),
        Rule(
            "file_held",
            "warning",
            (STEWARD,),
            "once per held file: accepted for a partner-month the steward approved, waiting "
            "for the month to be reopened",
            steward_line={
                "en": "{partner} {period}: file {file_name} received {received_date} "
                "{received_time} is held: the month is approved. To apply it: "
                "osservatorio reopen --period {period} --partner {partner} --by NAME "
                "--reason TEXT",
                "it": "{partner} {period}: il file {file_name} ricevuto il {received_date_it} "
                "alle {received_time} è in attesa: il mese è approvato. Per applicarlo: "
                "osservatorio reopen --period {period} --partner {partner} --by NOME "
                "--reason MOTIVO",
            },
        ),
        Rule(
            "report_late",
            "info",
            (STEWARD,),
            "once per partner-month whose first accepted file arrived after the due date, in "
            "the last `rejection_lookback_days` (30)",
            steward_line={
                "en": "{partner} {period}: report arrived late, on {received_date} "
                "({days_late_en} after the due date {due_date})",
                "it": "{partner} {period}: rendiconto arrivato in ritardo, il {received_date_it} "
                "({days_late_it} dopo la scadenza del {due_date_it})",
            },
        ),
        Rule(
            "ready_to_approve",
            "info",
            (STEWARD,),
            "once per due period and number of partner-months ready (an accepted version, not "
            "approved), for periods due in the last `approval_lookback_days` (120)",
            steward_line={
                "en": "{period}: {ready} partner-month(s) ready to approve ({partners}): "
                "osservatorio approve --period {period} --by NAME",
                "it": "{period}: {ready} mesi-ente pronti da approvare ({partners}): "
                "osservatorio approve --period {period} --by NOME",
            },
        ),
        Rule(
            "rejected_repeatedly",
            "warning",
            (STEWARD,),
            "once per partner-month, at the `rejections_for_steward`-th (2nd) rejection in a "
            "row not followed by an accepted file",
            steward_line={
                "en": "{partner} {period}: {rejections} files rejected in a row, none accepted "
                "since (feedback in outbox/{partner}/{period}/)",
                "it": "{partner} {period}: {rejections} file respinti di seguito, nessuno accettato"
                " dopo (esiti in outbox/{partner}/{period}/)",
            },
        ),
        Rule(
            "anomaly",
            "warning",
            (STEWARD,),
            "once per partner, period and area; periods due in the last "
            "`anomaly_lookback_days` (45)",
            steward_line={
                "en": "{partner} {period} area {area}: far from its previous months: {changes_en}",
                "it": "{partner} {period} area {area}: lontano dai mesi precedenti: {changes_it}",
            },
        ),
        Rule(
            "data_stale",
            "warning",
            (STEWARD,),
            "once per spell of `stale_days` (30) without accepted data (an accepted file "
            "ends the spell)",
            steward_line={
                "en": "No accepted data for the partnership for {days} days ({since_en})",
                "it": "Nessun dato accettato per il partenariato da {days} giorni ({since_it})",
            },
        ),
        Rule(
            "run_failed",
            "error",
            (STEWARD,),
            "once per failed Dagster run (run failure sensor, every job)",
            steward_subject={
                "en": "Pipeline run failed: {job} (run {run_id})",
                "it": "Esecuzione della pipeline fallita: {job} (run {run_id})",
            },
            steward_line={
                "en": "Pipeline run failed: job {job}, run {run_id}; failed steps: {steps}; "
                "errors: {errors}",
                "it": "Esecuzione della pipeline fallita: job {job}, run {run_id}; passi falliti: "
                "{steps}; errori: {errors}",
            },
        ),
        Rule(
            "check_failed",
            "error",
            (STEWARD,),
            "once per failed blocking check of a run (run failure sensor)",
            steward_subject={
                "en": "Blocking check failed: {check} (run {run_id})",
                "it": "Controllo bloccante fallito: {check} (run {run_id})",
            },
            steward_line={
                "en": "Blocking check failed: {check} on {asset} (run {run_id}); the analysts' "
                "copy was not refreshed",
                "it": "Controllo bloccante fallito: {check} su {asset} (run {run_id}); la copia "
                "per gli analisti non è stata aggiornata",
            },
        ),
    )
}


@dataclass(frozen=True)
class Alert:
    rule: str
    audience: Audience
    partner: str | None = None
    period: str | None = None
    detail: str | None = None  # tells two alerts of a partner-month apart (file, area, run)
    bucket: str | None = None  # the repeat bucket: a new bucket is a new message
    facts: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return "|".join(
            x or "-"
            for x in (self.rule, self.audience, self.partner, self.period, self.detail, self.bucket)
        )

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity


# --- the texts ---------------------------------------------------------------------------


def _it_date(iso: str) -> str:
    return formats.date(iso)


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _number(value: object, language: str) -> str:
    x = float(value) if isinstance(value, int | float) else 0.0
    text = f"{x:,.0f}" if abs(x - round(x)) < 0.05 else f"{x:,.1f}"
    # Italian swaps the separators: 10.770 and 20,5
    return text.translate(str.maketrans(",.", ".,")) if language == "it" else text


_CHANGE = {
    "en": "{label} {value} (median {median} of {months} months{usual}, score {score:+.1f})",
    "it": "{label} {value} (mediana {median} su {months} mesi{usual}, punteggio {score:+.1f})",
}
_USUAL = {"en": ", usually {low} to {high}", "it": ", di solito da {low} a {high}"}


def _changes(measures: Iterable[Mapping[str, object]], language: str) -> str:
    labels = MEASURE_LABELS[language]
    return "; ".join(
        _CHANGE[language].format(
            label=labels[str(m["measure"])],
            value=_number(m["value"], language),
            median=_number(m["median"], language),
            months=m["months"],
            score=m["score"],
            usual=_USUAL[language].format(
                low=_number(m["low"], language), high=_number(m["high"], language)
            )
            if "low" in m and "high" in m
            else "",
        )
        for m in measures
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def context(alert: Alert) -> dict[str, object]:
    """The alert's facts plus the forms its texts show (Italian dates, month names...)."""
    f = dict(alert.facts)
    ctx: dict[str, object] = {**f, "partner": alert.partner or "", "period": alert.period or ""}
    for key, value in f.items():
        if key.endswith("_date") and isinstance(value, str) and value:
            ctx[f"{key}_it"] = _it_date(value)
    if alert.period:
        ctx["month_it"] = formats.month(alert.period)
        ctx["month_en"] = formats.month_en(alert.period)
    files, errors, days_late = (_int(f.get(k)) for k in ("files", "errors", "days_late"))
    ctx["errors_it"] = _plural(errors, "errore", "errori")
    ctx["errors_en"] = _plural(errors, "error", "errors")
    ctx["days_late_en"] = _plural(days_late, "day", "days")
    ctx["days_late_it"] = _plural(days_late, "giorno", "giorni")
    ctx["state_it"] = "accettato" if files else "pervenuto"
    rejected = f.get("rejected_file")
    if rejected:
        ctx["files_note_it"] = (
            f"Il file «{rejected}» ricevuto il {_it_date(str(f.get('rejected_date')))} è "
            f"arrivato ed è stato respinto: nessun dato di quel file è entrato "
            f"nell'osservatorio. L'esito del controllo, con ogni problema indicato per riga e "
            f"colonna, è qui:\n{f.get('feedback') or f'outbox/{alert.partner}/{alert.period}/'}"
            + (
                f"\nIn tutto abbiamo ricevuto {files} file per questo mese, nessuno accettato."
                if files > 1
                else ""
            )
        )
    else:
        ctx["files_note_it"] = (
            f"Abbiamo ricevuto {files} file, ma nessuno è stato accettato: gli esiti dei "
            f"controlli sono in outbox/{alert.partner}/{alert.period}/."
            if files
            else "Non abbiamo ricevuto alcun file per questo mese."
        )
    ctx["files_note_en"] = f"; {files} file(s) received, all rejected" if files else ""
    ctx["files_note_it_short"] = f"; {files} file ricevuti, tutti respinti" if files else ""
    ctx["feedback_it"] = f.get("feedback") or f"la cartella outbox/{alert.partner}/{alert.period}/"
    found = f.get("error_rules")
    rules: list = found if isinstance(found, list) else []
    listed = ", ".join(f"{r} ({n})" for r, n in rules[:3])
    # The partner reads where the problems are, in its own column names; rule ids are for
    # the steward.
    found_columns = f.get("error_columns")
    columns: list = found_columns if isinstance(found_columns, list) else []
    where = [
        (f"la colonna «{c}»" if c else "il file nel suo insieme")
        + f" ({_plural(n, 'errore', 'errori')})"
        for c, n in columns
    ]
    ctx["rules_note_it"] = ("I problemi riguardano " + ", ".join(where) + ".\n") if where else ""
    ctx["rules_note_en"] = f": {listed}" if listed else ""
    ctx["rules_note_it_short"] = f": {listed}" if listed else ""
    ctx.setdefault("file_name", "")
    measures = f.get("measures")
    if isinstance(measures, list):
        ctx["changes_en"] = _changes(measures, "en")
        ctx["changes_it"] = _changes(measures, "it")
    last = f.get("last_accepted_date")
    ctx["since_en"] = (
        f"last accepted file received on {last}"
        if last
        else f"no file accepted yet; the first report was due on {f.get('first_due_date')}"
    )
    ctx["since_it"] = (
        f"ultimo file accettato ricevuto il {ctx.get('last_accepted_date_it')}"
        if last
        else f"nessun file accettato finora; il primo rendiconto "
        f"scadeva il {ctx.get('first_due_date_it')}"
    )
    return ctx


def partner_text(alert: Alert) -> tuple[str, str]:
    """Subject and body of a partner's message, in Italian."""
    rule, ctx = RULES[alert.rule], context(alert)
    return rule.partner_subject.format_map(ctx), rule.partner_body.format_map(ctx)


def steward_line(alert: Alert, language: str) -> str:
    return RULES[alert.rule].steward_line[language].format_map(context(alert))


def steward_subject(alert: Alert, language: str) -> str:
    """The subject of a message about this one alert."""
    template = RULES[alert.rule].steward_subject.get(language)
    return template.format_map(context(alert)) if template else steward_line(alert, language)


# --- the calendar rules ------------------------------------------------------------------


def reminders(facts: Facts, as_of: dt.date, config: AlertConfig) -> Iterator[Alert]:
    for pm in facts.partner_months:
        days_left = (pm.due_date - as_of).days
        if pm.files == 0 and 0 <= days_left <= config.reminder_days:
            yield Alert(
                "reminder_due_soon",
                PARTNER,
                pm.partner,
                pm.period,
                facts={"due_date": pm.due_date.isoformat(), "days_left": days_left},
            )


def missing(facts: Facts, as_of: dt.date, config: AlertConfig) -> Iterator[Alert]:
    """Reports not accepted after the due date; a partner whose files were all rejected is
    told which file arrived and where its feedback is, not that nothing arrived."""
    rejected = {(f.partner, f.period): f for f in facts.rejected_files}
    for pm in facts.partner_months:
        days_late = (as_of - pm.due_date).days
        if pm.accepted_files or days_late < 1:
            continue
        week = (days_late - 1) // config.missing_repeat_days
        if week >= config.missing_max_reminders:
            continue
        f: dict[str, object] = {
            "due_date": pm.due_date.isoformat(),
            "days_late": days_late,
            "files": pm.files,
            "reminder": week + 1,
        }
        last = rejected.get((pm.partner, pm.period))
        if last is not None:
            f.update(
                {
                    "rejected_file": last.file_name,
                    "feedback": last.feedback,
                    "rejected_date": last.received_at.astimezone(facts.cutoff.tzinfo)
                    .date()
                    .isoformat(),
                }
            )
        for audience in (PARTNER, STEWARD):
            yield Alert(
                "report_missing", audience, pm.partner, pm.period, bucket=f"week{week + 1}", facts=f
            )


def rejections(facts: Facts, as_of: dt.date, config: AlertConfig) -> Iterator[Alert]:
    since = facts.cutoff - dt.timedelta(days=config.rejection_lookback_days)
    for f in facts.rejected_files:
        if f.received_at < since:
            continue
        local = f.received_at.astimezone(facts.cutoff.tzinfo)
        for audience in (PARTNER, STEWARD):
            yield Alert(
                "file_rejected",
                audience,
                f.partner,
                f.period,
                detail=f.sha256[:12],
                facts={
                    "received_date": local.date().isoformat(),
                    "received_time": local.strftime("%H:%M"),
                    "version": f.version,
                    "errors": f.errors,
                    "feedback": f.feedback,
                    "file_name": f.file_name,
                    "error_rules": [list(r) for r in f.error_rules],
                    "error_columns": [list(c) for c in f.error_columns],
                },
            )
    for pm in facts.partner_months:
        if pm.open_rejections >= config.rejections_for_steward:
            yield Alert(
                "rejected_repeatedly",
                STEWARD,
                pm.partner,
                pm.period,
                facts={"rejections": pm.open_rejections, "files": pm.files},
            )


def held(facts: Facts, as_of: dt.date, config: AlertConfig) -> Iterator[Alert]:
    """Every file held for an approved month, until the month is reopened and it is applied."""
    for f in facts.held_files:
        local = f.received_at.astimezone(facts.cutoff.tzinfo)
        yield Alert(
            "file_held",
            STEWARD,
            f.partner,
            f.period,
            detail=f.sha256[:12],
            facts={
                "file_name": f.file_name,
                "received_date": local.date().isoformat(),
                "received_time": local.strftime("%H:%M"),
            },
        )


def late(facts: Facts, as_of: dt.date, config: AlertConfig) -> Iterator[Alert]:
    """Reports whose first accepted file arrived after the due day (Europe/Rome)."""
    since = facts.cutoff - dt.timedelta(days=config.rejection_lookback_days)
    for pm in facts.partner_months:
        first = pm.first_accepted_at
        if first is None or first < since:
            continue
        day = first.astimezone(facts.cutoff.tzinfo).date()
        if day > pm.due_date:
            yield Alert(
                "report_late",
                STEWARD,
                pm.partner,
                pm.period,
                facts={
                    "due_date": pm.due_date.isoformat(),
                    "received_date": day.isoformat(),
                    "days_late": (day - pm.due_date).days,
                },
            )


def ready_to_approve(facts: Facts, as_of: dt.date, config: AlertConfig) -> Iterator[Alert]:
    """Due periods with partner-months that have an accepted version and are not approved."""
    earliest = as_of - dt.timedelta(days=config.approval_lookback_days)
    ready: dict[str, list[str]] = defaultdict(list)
    for pm in facts.partner_months:
        if pm.accepted_files and not pm.approved and earliest <= pm.due_date < as_of:
            ready[pm.period].append(pm.partner)
    for period, partners in sorted(ready.items()):
        shown = ", ".join(partners[:8]) + (", ..." if len(partners) > 8 else "")
        yield Alert(
            "ready_to_approve",
            STEWARD,
            None,
            period,
            bucket=str(len(partners)),
            facts={"ready": len(partners), "partners": shown},
        )


def staleness(facts: Facts, as_of: dt.date, config: AlertConfig) -> Iterator[Alert]:
    tz = facts.cutoff.tzinfo
    last = facts.last_accepted_at.astimezone(tz).date() if facts.last_accepted_at else None
    anchor = last or facts.first_due_date
    if anchor is None or (as_of - anchor).days < config.stale_days:
        return
    yield Alert(
        "data_stale",
        STEWARD,
        detail=anchor.isoformat(),
        facts={
            "days": (as_of - anchor).days,
            "last_accepted_date": last.isoformat() if last else None,
            "first_due_date": facts.first_due_date.isoformat() if facts.first_due_date else None,
        },
    )


# --- the anomaly rule --------------------------------------------------------------------


def robust_score(
    history: Sequence[float], value: float, min_history: int, min_relative_scale: float = 0.0
) -> float | None:
    """How far `value` is from `history` in robust standard deviations (None: too little
    history). The scale is 1.4826 x the median absolute deviation, floored at a share of
    the median and at 1, so a flat history does not make every small change infinite."""
    if len(history) < max(min_history, 1):
        return None
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history)
    scale = max(MAD_TO_SIGMA * mad, min_relative_scale * abs(median), 1.0)
    return (value - median) / scale


def _measure(f: Figure | None, measure: str) -> float:
    return float(getattr(f, measure)) if f is not None else 0.0


def anomalies(facts: Facts, as_of: dt.date, config: AlertConfig) -> Iterator[Alert]:
    """A partner's month per area against its own previous months that it reported.

    Months of the period's due date at most `anomaly_lookback_days` ago are looked at; the
    history is the partner's reported months among the previous `anomaly_history_months`
    (an area without rows in a reported month counts 0), and a figure needs at least
    `anomaly_min_history` of them with activity, so sparse activities do not alert."""
    due = {pm.period: pm.due_date for pm in facts.partner_months}
    by_month: dict[tuple[str, str], dict[str, Figure]] = defaultdict(dict)
    for fig in facts.figures:
        by_month[(fig.partner, fig.period)][fig.area] = fig
    earliest = as_of - dt.timedelta(days=config.anomaly_lookback_days)
    for partner, period in sorted(facts.reported):
        if period not in due or due[period] < earliest:
            continue
        history = [
            p
            for p in months_before(period, config.anomaly_history_months)
            if (partner, p) in facts.reported
        ]
        if len(history) < config.anomaly_min_history:
            continue
        current = by_month[(partner, period)]
        areas = set(current).union(*(by_month[(partner, p)] for p in history))
        for area in sorted(areas):
            found = []
            for measure in MEASURES:
                past = [_measure(by_month[(partner, p)].get(area), measure) for p in history]
                if sum(1 for x in past if x) < config.anomaly_min_history:
                    continue  # too little history of this figure (a sparse or new activity)
                value = _measure(current.get(area), measure)
                score = robust_score(
                    past, value, config.anomaly_min_history, config.anomaly_min_relative_scale
                )
                median = statistics.median(past)
                if (
                    score is not None
                    and abs(score) >= config.anomaly_threshold
                    and abs(value - median) >= config.anomaly_min_change[measure]
                ):
                    found.append(
                        {
                            "measure": measure,
                            "value": round(value, 2),
                            "median": round(median, 2),
                            "months": len(past),
                            "low": round(min(past), 2),
                            "high": round(max(past), 2),
                            "score": round(score, 1),
                        }
                    )
            if found:
                yield Alert(
                    "anomaly",
                    STEWARD,
                    partner,
                    period,
                    detail=area,
                    facts={"area": area, "measures": found},
                )


def alerts_due(facts: Facts, as_of: dt.date, config: AlertConfig) -> list[Alert]:
    """Every alert that holds as of the day (delivered or not)."""
    rules = (reminders, missing, rejections, held, late, ready_to_approve, anomalies, staleness)
    return [a for rule in rules for a in rule(facts, as_of, config)]


# --- the pipeline's own failures -------------------------------------------------------


def run_failure_alerts(
    job: str,
    run_id: str,
    steps: Iterable[str],
    errors: Iterable[str],
    failed_checks: Iterable[tuple[str, str]],
) -> list[Alert]:
    """A failed run, and each blocking check (asset, check name) that failed in it."""
    out = [
        Alert(
            "run_failed",
            STEWARD,
            detail=run_id,
            facts={
                "job": job,
                "run_id": run_id[:8],
                "steps": ", ".join(sorted(set(steps))) or "none",
                "errors": ", ".join(dict.fromkeys(errors)) or "see the run in the Dagster UI",
            },
        )
    ]
    for asset, check in sorted(set(failed_checks)):
        out.append(
            Alert(
                "check_failed",
                STEWARD,
                detail=f"{run_id}:{asset}:{check}",
                facts={"asset": asset, "check": check, "run_id": run_id[:8]},
            )
        )
    return out
