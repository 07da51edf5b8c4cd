"""Feedback to the partner, in Italian: an HTML page, the JSON of `check`, and the partner's
own workbook returned with the problem cells highlighted and commented.

Written to `outbox/<PARTNER>/<YYYY-MM>/`. Every value is HTML-escaped; a codice fiscale is
shown masked in the page, the JSON and the annotated copy, which also leaves out any column
that looks like a direct identifier.
"""

from __future__ import annotations

import html
import json
import logging
import os
from pathlib import Path

from pipelines import formats
from pipelines.ingestion.columns import TABLES
from pipelines.issues import ERROR
from pipelines.validation.evaluate import REJECTED, VERDICT_IT, FileVerdict
from pipelines.workspace import Workspace

log = logging.getLogger(__name__)
HEADER_RULES = {"column_unknown", "column_identifier_dropped"}

_CSS = """
body{font-family:system-ui,Segoe UI,Arial,sans-serif;margin:2rem;color:#1d2733;max-width:72rem}
h1{font-size:1.4rem} .verdict{font-size:1.2rem;padding:.6rem 1rem;border-radius:.4rem;display:inline-block}
.accepted{background:#e3f4e8;color:#14532d}.accepted_with_warnings{background:#fff4d6;color:#713f12}
.rejected{background:#fde2e1;color:#7f1d1d} table{border-collapse:collapse;width:100%;margin-top:1rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7} .error{color:#7f1d1d;font-weight:600}.warning{color:#713f12}
"""


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_bytes(data)
    except FileNotFoundError:  # the month's first feedback: its folder is made then
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
    os.replace(tmp, path)


def feedback_dir(ws: Workspace, v: FileVerdict) -> Path:
    # The folder name is the partner's identity; a strange name must not escape the outbox.
    partner = "".join(ch for ch in v.drop.partner if ch.isalnum() or ch in "-_") or "_"
    period = "".join(ch for ch in v.drop.period if ch.isalnum() or ch in "-_") or "_"
    return ws.outbox / partner / period


def month_it(period: str) -> str:
    """`2026-09` -> `settembre 2026`; anything else as it is (a folder may be malformed)."""
    return formats.month(period)


HELD_IT = (
    "<p>Il file è stato controllato ed è <strong>{verdict}</strong>, ma <strong>non è "
    "stato ancora applicato</strong>: il mese di {period} è già stato approvato e chiuso "
    "dal referente dell'osservatorio, e i suoi dati restano quelli approvati. Abbiamo "
    "chiesto al referente di riaprire il mese: quando lo farà, questo file sostituirà "
    "la versione approvata, senza bisogno di inviarlo di nuovo.</p>"
)


TABLE_IT = {"interventi": "interventi", "spese": "spese"}


def counts_it(v: FileVerdict, held: bool = False) -> str:
    """`Interventi: 7 righe lette, 7 acquisite · Spese: 2 righe lette, 2 acquisite`."""
    taken = "in attesa" if held else "acquisite"
    parts = []
    for name in TABLES:
        if name in v.tables or name == "interventi":
            read, accepted = v.table_rows(name)
            parts.append(
                f"{TABLE_IT[name].capitalize()}: {formats.number(read)} "
                f"{'riga letta' if read == 1 else 'righe lette'}, "
                f"{formats.number(accepted)} {taken}"
            )
    return " · ".join(parts)


def render_html(
    v: FileVerdict, version: int | None = None, held: bool = False, annotated: str | None = None
) -> str:
    """The partner's page: the verdict, the counts per table and every problem with its row,
    column, value and what is expected. No rule ids or hashes: those are in the JSON."""
    d = v.drop
    e = html.escape
    rows = []
    for i in v.issues:
        sev = "Errore" if i.severity == ERROR else "Avviso"
        rows.append(
            f"<tr><td class='{e(i.severity)}'>{sev}</td><td>{e(i.sheet or '')}</td>"
            f"<td>{'' if i.row is None else i.row}</td><td>{e(i.column or '')}</td>"
            f"<td>{e(i.value or '')}</td><td>{e(i.message)}</td><td>{e(i.expected or '')}</td>"
            "</tr>"
        )
    table = (
        (
            "<table><thead><tr><th scope='col'>Tipo</th><th scope='col'>Foglio</th>"
            "<th scope='col'>Riga</th><th scope='col'>Colonna</th>"
            "<th scope='col'>Valore trovato</th><th scope='col'>Problema</th>"
            "<th scope='col'>Cosa serve</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
        if rows
        else "<p>Nessun problema riscontrato.</p>"
    )
    copy = (
        f"<p><a href='{e(annotated)}'>Scarica il vostro file con le celle da correggere "
        "evidenziate</a> (il primo foglio elenca tutti i problemi).</p>"
        if annotated
        else ""
    )
    advice = (
        "<p>Il file è stato <strong>respinto</strong>: nessun dato è stato acquisito. "
        "Correggere tutte le righe indicate e inviare di nuovo l'intero rendiconto "
        "del mese.</p>"
        if v.status == REJECTED
        else "<p>Il rendiconto è stato acquisito. Un nuovo file per lo stesso mese sostituirà "
        "questo per intero.</p>"
    )
    if held:
        advice = HELD_IT.format(verdict=e(VERDICT_IT[v.status]), period=e(month_it(d.period)))
    errors = f"{formats.number(v.errors)} {'errore' if v.errors == 1 else 'errori'}"
    warnings = f"{formats.number(v.warnings)} {'avviso' if v.warnings == 1 else 'avvisi'}"
    return f"""<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><title>Esito del rendiconto {e(d.partner)} di {e(month_it(d.period))}</title>
<style>{_CSS}</style></head><body>
<h1>Esito del rendiconto mensile</h1>
<p>Ente <strong>{e(d.partner)}</strong> · mese <strong>{e(month_it(d.period))}</strong> · file <strong>{e(d.name)}</strong>
{f" · versione {version}" if version else ""}</p>
<p class="verdict {e(v.status)}">{e(VERDICT_IT[v.status].capitalize())}{" · in attesa (mese chiuso)" if held else ""}</p>
<p>{e(counts_it(v, held))} · {errors} · {warnings}</p>
{advice}
{copy}
{table}
</body></html>
"""


def needs_annotation(v: FileVerdict) -> bool:
    """Whether the feedback includes the annotated copy (the costly part of writing it)."""
    return bool(
        v.status == REJECTED
        and v.tables
        and any(i.row is not None and i.rule not in HEADER_RULES for i in v.issues)
    )


def write_feedback(
    ws: Workspace, v: FileVerdict, version: int | None = None, held: bool = False
) -> Path:
    """Write the page, the JSON and (when rows have issues) the annotated workbook. A `held`
    file (its month approved and closed) is told it waits for the month to be reopened."""
    folder = feedback_dir(ws, v)  # made by the first write into it
    stem = f"esito_{v.drop.sha256[:8]}_{Path(v.drop.name).stem}"
    page = folder / f"{stem}.html"
    verdict = v.as_json() | ({"held": True} if held else {})
    _write_atomic(
        folder / f"{stem}.json", json.dumps(verdict, ensure_ascii=False, indent=2).encode("utf-8")
    )
    # The annotated copy is for a rejected file with problems in its data rows: the partner
    # sees each problem on its cell. Warnings and columns the partner added are explained
    # well enough by the page (and annotating costs a workbook write).
    annotated = None
    if needs_annotation(v):
        try:
            from pipelines.validation.annotate import annotated_workbook

            annotated = annotated_workbook(v, folder / f"{stem}_segnalazioni.xlsx").name
        except Exception as exc:  # the page and JSON already say everything
            log.warning("could not annotate %s: %s", v.drop.name, type(exc).__name__)
    _write_atomic(page, render_html(v, version, held, annotated).encode("utf-8"))
    return page
