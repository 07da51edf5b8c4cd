"""What the partner gets back: the Italian page (values escaped), the JSON, and the own
workbook with the problem cells highlighted and commented."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from pipelines.ingest import ingest
from pipelines.issues import FILE_RULES
from pipelines.reporting.pdf import FLAGS
from tests.helpers import at, expense, row, write_csv, write_xlsx

CODICE_FISCALE = re.compile(
    r"\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z]"
    r"[0-9LMNPQRSTUV]{3}[A-Z]\b",
    re.IGNORECASE,
)


def test_rejected_workbook_comes_back_annotated_and_page_escapes_values(
    home: Path, settings
) -> None:
    rows = [row(i) for i in range(4)] + [row(4, sesso="<b>X</b>"), row(5, minori_nucleo=9)]
    write_xlsx(home / "inbox" / "P06" / "2026-03" / "marzo.xlsx", rows, mtime=at("2026-04-03"))
    write_csv(
        home / "inbox" / "P07" / "2026-03" / "marzo.csv",
        "interventi",
        [row(10), row(11, tipo_intervento="POV99")],
        mtime=at("2026-04-04"),
    )
    assert ingest(settings).rejected == 2

    out = home / "outbox" / "P06" / "2026-03"
    page = next(out.glob("esito_*.html")).read_text(encoding="utf-8")
    assert "respinto" in page.lower()
    assert "&lt;b&gt;X&lt;/b&gt;" in page and "<b>X</b>" not in page
    data = json.loads(next(out.glob("esito_*.json")).read_text(encoding="utf-8"))
    found = {(i["rule"], i["row"], i["column"]) for i in data["issues"]}
    assert found == {("sesso_value", 6, "Sesso"), ("minori_nucleo_range", 7, "Minori nel nucleo")}

    wb = load_workbook(next(out.glob("*_segnalazioni.xlsx")))
    ws = wb["interventi"]
    headers = [c.value for c in ws[1]]
    sex = ws.cell(row=6, column=headers.index("Sesso") + 1)
    minors = ws.cell(row=7, column=headers.index("Minori nel nucleo") + 1)
    for cell in (sex, minors):
        assert cell.fill.fill_type == "solid"
        assert cell.comment is not None and "Errore" in cell.comment.text
    assert "Sesso" in sex.comment.text or "M oppure F" in sex.comment.text
    untouched = ws.cell(row=2, column=headers.index("Sesso") + 1)
    assert untouched.comment is None and untouched.fill.fill_type is None
    assert sex.value == "<b>X</b>"  # the partner's own value, to fix in place

    # A CSV comes back as a workbook with the rows where the partner had them.
    csv_out = home / "outbox" / "P07" / "2026-03"
    wb = load_workbook(next(csv_out.glob("*_segnalazioni.xlsx")))
    assert wb.sheetnames == ["Problemi", "interventi"]
    ws = wb["interventi"]
    headers = [c.value for c in ws[1]]
    bad = ws.cell(row=3, column=headers.index("Tipo intervento") + 1)
    assert bad.value == "POV99" and bad.comment is not None


RULE_IDS = {
    e["meta"]["rule"]
    for t in ("interventi", "spese")
    for e in json.loads(
        (Path(__file__).resolve().parents[2] / "expectations" / f"{t}.json").read_text()
    )["expectations"]
} | set(FILE_RULES)
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "partner_files"
OUTPUT = Path(__file__).resolve().parents[1] / "output"


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<(style|script)\b.*?</\1>|<[^>]+>", " ", page, flags=re.S))


def test_a_missing_column_does_not_hide_the_row_problems(home: Path, settings) -> None:
    """One round trip: the page lists the missing column and every row problem at once,
    with what would be right (the month's days, the nearest municipality)."""
    month = home / "inbox" / "P01" / "2026-03"
    month.mkdir(parents=True)
    shutil.copy2(CORPUS / "bad_missing_column_with_row_errors.xlsx", month / "marzo.xlsx")
    assert ingest(settings).rejected == 1
    page = _text(next((home / "outbox" / "P01" / "2026-03").glob("esito_*.html")).read_text())
    assert "Manca la colonna obbligatoria 'Sesso'" in page
    assert "Cremma" in page and "forse Crema?" in page
    assert "02/04/2026" in page and "dal 01/03/2026 al 31/03/2026" in page
    assert "marzo 2026" in page and "2026-03" not in page
    assert "Interventi: 4 righe lette, 0 acquisite" in page
    # A picture of the page for people (README), taken by the browser a partner would use.
    [path] = list((home / "outbox" / "P01" / "2026-03").glob("esito_*.html"))
    OUTPUT.mkdir(exist_ok=True)
    subprocess.run(
        [
            "chromium",
            *FLAGS,
            f"--user-data-dir={home / 'chromium'}",
            f"--screenshot={OUTPUT / 'feedback.png'}",
            "--window-size=1100,700",
            path.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert (OUTPUT / "feedback.png").stat().st_size > 10_000


def test_no_rule_identifier_or_hash_on_any_feedback_page(home: Path, settings) -> None:
    month = home / "inbox" / "P01" / "2026-03"
    month.mkdir(parents=True)
    for case in json.loads((CORPUS / "expected.json").read_text())["cases"]:
        if case["kind"] != "reader" and case["issues"]:
            shutil.copy2(CORPUS / case["file"], month / case["file"])
    summary = ingest(settings)
    assert summary.rejected > 30
    pages = list((home / "outbox" / "P01" / "2026-03").glob("esito_*.html"))
    assert len(pages) == summary.new
    for path in pages:
        text = _text(path.read_text(encoding="utf-8"))
        words = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text))
        assert not words & RULE_IDS, (path.name, words & RULE_IDS)
        assert not re.search(r"\b[0-9a-f]{64}\b", text), path.name
        assert "SHA" not in text and "Regola" not in text


def test_the_annotated_copy_lists_every_problem_first_and_keeps_no_identifier(
    home: Path, settings
) -> None:
    rows = [row(i) for i in range(3)] + [row(3, sesso="X"), row(4, comune_residenza="Cremma")]
    names = ["Mario Rossi", "Anna Bianchi", "Luca Verdi", "Sara Neri", "Paolo Gialli"]
    write_xlsx(
        home / "inbox" / "P02" / "2026-03" / "marzo.xlsx",
        rows,
        extra={"Nome e cognome": names, "Telefono": ["3331234567"] * 5},
        mtime=at("2026-04-03"),
    )
    assert ingest(settings).rejected == 1
    out = home / "outbox" / "P02" / "2026-03"
    page = next(out.glob("esito_*.html"))
    [copy] = list(out.glob("*_segnalazioni.xlsx"))
    assert f"href='{copy.name}'" in page.read_text(encoding="utf-8")  # linked from the page
    wb = load_workbook(copy)
    assert wb.sheetnames[0] == "Problemi"
    listed = [r for r in wb["Problemi"].iter_rows(min_row=3, values_only=True) if any(r)]
    data = json.loads(next(out.glob("esito_*.json")).read_text(encoding="utf-8"))
    assert len(listed) == len(data["issues"])  # every problem, warnings of dropped columns too
    assert {(r[2], r[3]) for r in listed} == {(i["row"], i["column"]) for i in data["issues"]}
    cells = [str(c.value) for ws in wb for r in ws.iter_rows() for c in r if c.value is not None]
    everything = " ".join(cells)
    for name in names:
        assert name not in everything
    assert "3331234567" not in everything
    headers = [c.value for c in wb["interventi"][1]]
    assert "Nome e cognome" not in headers and "Telefono" not in headers
    assert not CODICE_FISCALE.search(everything)  # masked as in the feedback
    marked = wb["interventi"].cell(row=5, column=headers.index("Sesso") + 1)
    assert marked.comment is not None and marked.fill.fill_type == "solid"
    near = wb["interventi"].cell(row=6, column=headers.index("Comune di residenza") + 1)
    assert "Crema?" in near.comment.text


def test_the_annotated_copy_is_written_as_openpyxl_writes_it(home: Path, settings) -> None:
    """The copy's rows are written as one piece of XML (annotate._save), not cell by cell:
    the workbook's parts are byte for byte those of openpyxl's own save, for the values that
    take the quick way (text to escape, spaces to keep, numbers, dates) and those that do
    not (a text taken for a formula or an error code, a marked cell)."""
    import zipfile

    from pipelines.ingestion.inbox import drop_of
    from pipelines.validation import annotate
    from pipelines.validation.evaluate import evaluate
    from pipelines.validation.feedback import needs_annotation

    texts = ["A & B <c> > d", " davanti", "dietro ", "riga\r\nnuova", "=SUM(1)", "#N/A", "è € 😀"]
    rows = [row(i, id_intervento=t) for i, t in enumerate(texts)]
    rows += [row(7, sesso="X", anno_nascita=1985.5), row(8, importo_euro=1e20, minori_nucleo=9)]
    xlsx = write_xlsx(
        home / "inbox" / "P06" / "2026-03" / "marzo.xlsx", rows, expenses=[expense(), expense()]
    )
    csv = write_csv(
        home / "inbox" / "P07" / "2026-03" / "marzo.csv",
        "interventi",
        [
            row(10, id_intervento="=1+1"),
            row(11, tipo_intervento="POV99"),
            row(12, id_intervento="campanello\x07"),
        ],
    )
    verdicts = evaluate([drop_of(xlsx, "P06", "2026-03"), drop_of(csv, "P07", "2026-03")], settings)

    def parts(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as zf:
            return {n: zf.read(n) for n in zf.namelist() if not n.startswith("docProps/")}

    for k, v in enumerate(verdicts):
        assert needs_annotation(v)
        quick, plain = home / f"quick{k}.xlsx", home / f"plain{k}.xlsx"
        annotate._save(annotate.workbook(v), quick)
        annotate.workbook(v).save(plain)
        assert parts(quick) == parts(plain)
        sheet = annotate.workbook(v).worksheets[1]
        ways = {annotate._row_xml(r[0].row, list(r), {}) is None for r in sheet.iter_rows()}
        assert ways == {True, False}  # both ways were taken
    # A control character the partner typed is dropped: the copy is still made.
    assert "campanello" in [c.value for c in annotate.workbook(verdicts[1]).worksheets[1]["A"]]

    # Values the reader never hands over (it strips spaces) are written alike too.
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    def sheet_of_values() -> Workbook:
        wb = Workbook()
        values = [
            " davanti",
            "dietro ",
            "a\r\nb",
            "&<>\"'",
            0.1,
            1e20,
            -3,
            2**40,
            dt.date(2026, 3, 1),
        ]
        for r, value in enumerate(values, start=1):
            wb.active.cell(row=r, column=1, value=value)
            wb.active.cell(row=r, column=3, value=str(value))
        wb.active["B2"].fill = PatternFill(start_color="FFF8B4B4", fill_type="solid")
        wb.active["A3"].number_format = "0.00"
        return wb

    annotate._save(sheet_of_values(), home / "quick.xlsx")
    sheet_of_values().save(home / "plain.xlsx")
    assert parts(home / "quick.xlsx") == parts(home / "plain.xlsx")
