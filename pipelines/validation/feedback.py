"""Feedback to the partner, in Italian: an HTML page, the JSON of `check`, and the partner's
own workbook returned with the problem cells highlighted and commented.

Written to `outbox/<PARTNER>/<YYYY-MM>/`. Every value is HTML-escaped; a codice fiscale is
shown masked in the page and the JSON (the returned workbook is the partner's own data).
"""

from __future__ import annotations

import html
import json
import logging
import os
from pathlib import Path

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
    tmp.write_bytes(data)
    os.replace(tmp, path)


def feedback_dir(ws: Workspace, v: FileVerdict) -> Path:
    # The folder name is the partner's identity; a strange name must not escape the outbox.
    partner = "".join(ch for ch in v.drop.partner if ch.isalnum() or ch in "-_") or "_"
    period = "".join(ch for ch in v.drop.period if ch.isalnum() or ch in "-_") or "_"
    return ws.outbox / partner / period


MONTHS_IT = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
             "settembre", "ottobre", "novembre", "dicembre")


def month_it(period: str) -> str:
    """`2026-09` -> `settembre 2026`; anything else as it is (a folder may be malformed)."""
    try:
        return f"{MONTHS_IT[int(period[5:7]) - 1]} {int(period[:4])}"
    except (ValueError, IndexError):
        return period


HELD_IT = ("<p>Il file è stato controllato ed è <strong>{verdict}</strong>, ma <strong>non è "
           "stato ancora applicato</strong>: il mese di {period} è già stato approvato e chiuso "
           "dal referente dell'osservatorio, e i suoi dati restano quelli approvati. Abbiamo "
           "chiesto al referente di riaprire il mese: quando lo farà, questo file sostituirà "
           "la versione approvata, senza bisogno di inviarlo di nuovo.</p>")


def render_html(v: FileVerdict, version: int | None = None, held: bool = False) -> str:
    d = v.drop
    e = html.escape
    rows = []
    for i in v.issues:
        sev = "Errore" if i.severity == ERROR else "Avviso"
        rows.append(
            f"<tr><td class='{e(i.severity)}'>{sev}</td><td>{e(i.sheet or '')}</td>"
            f"<td>{'' if i.row is None else i.row}</td><td>{e(i.column or '')}</td>"
            f"<td>{e(i.value or '')}</td><td>{e(i.message)}</td><td>{e(i.expected or '')}</td>"
            f"<td><code>{e(i.rule)}</code></td></tr>")
    table = ("<table><thead><tr><th>Tipo</th><th>Foglio</th><th>Riga</th><th>Colonna</th>"
             "<th>Valore trovato</th><th>Problema</th><th>Valore atteso</th><th>Regola</th>"
             "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>") if rows else \
        "<p>Nessun problema riscontrato.</p>"
    advice = ("<p>Il file è stato <strong>respinto</strong>: nessun dato è stato acquisito. "
              "Correggere le righe indicate (il file restituito evidenzia le celle) e inviare "
              "di nuovo l'intero rendiconto nella stessa cartella.</p>"
              if v.status == REJECTED else
              "<p>Il rendiconto è stato acquisito. Un nuovo file per lo stesso mese sostituirà "
              "questo per intero.</p>")
    if held:
        advice = HELD_IT.format(verdict=e(VERDICT_IT[v.status]), period=e(month_it(d.period)))
    return f"""<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><title>Esito del rendiconto {e(d.partner)} {e(d.period)}</title>
<style>{_CSS}</style></head><body>
<h1>Esito del rendiconto mensile</h1>
<p>Ente <strong>{e(d.partner)}</strong> · mese <strong>{e(d.period)}</strong> · file <strong>{e(d.name)}</strong>
{f' · versione {version}' if version else ''}</p>
<p class="verdict {e(v.status)}">{e(VERDICT_IT[v.status].capitalize())}{' · in attesa (mese chiuso)' if held else ''}</p>
<p>Righe lette: {v.rows_read} · {'righe in attesa' if held else 'righe acquisite'}: {v.rows_accepted} · errori: {v.errors} · avvisi: {v.warnings}</p>
{advice}
{table}
<p style="color:#57606a;font-size:.85rem">Impronta del file (SHA-256): {e(d.sha256)}</p>
</body></html>
"""


def write_feedback(ws: Workspace, v: FileVerdict, version: int | None = None,
                   held: bool = False) -> Path:
    """Write the page, the JSON and (when rows have issues) the annotated workbook. A `held`
    file (its month approved and closed) is told it waits for the month to be reopened."""
    folder = feedback_dir(ws, v)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"esito_{v.drop.sha256[:8]}_{Path(v.drop.name).stem}"
    page = folder / f"{stem}.html"
    verdict = v.as_json() | ({"held": True} if held else {})
    _write_atomic(folder / f"{stem}.json",
                  json.dumps(verdict, ensure_ascii=False, indent=2).encode("utf-8"))
    # The annotated workbook is for a rejected file with problems in its data rows: the
    # partner fixes it in place and sends it again. Warnings and columns the partner added
    # are explained well enough by the page (and annotating costs a full workbook rewrite).
    if v.status == REJECTED and v.tables and any(
            i.row is not None and i.rule not in HEADER_RULES for i in v.issues):
        try:
            from pipelines.validation.annotate import annotated_workbook

            annotated_workbook(v, folder / f"{stem}_segnalazioni.xlsx")
        except Exception as exc:  # the page and JSON already say everything
            log.warning("could not annotate %s: %s", v.drop.name, type(exc).__name__)
    _write_atomic(page, render_html(v, version, held).encode("utf-8"))
    return page
