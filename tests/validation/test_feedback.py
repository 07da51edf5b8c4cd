"""What the partner gets back: the Italian page (values escaped), the JSON, and the own
workbook with the problem cells highlighted and commented."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from pipelines.ingest import ingest
from tests.helpers import at, row, write_csv, write_xlsx


def test_rejected_workbook_comes_back_annotated_and_page_escapes_values(home: Path, settings) -> None:
    rows = [row(i) for i in range(4)] + [row(4, sesso="<b>X</b>"), row(5, minori_nucleo=9)]
    write_xlsx(home / "inbox" / "P06" / "2026-03" / "marzo.xlsx", rows, mtime=at("2026-04-03"))
    write_csv(home / "inbox" / "P07" / "2026-03" / "marzo.csv", "interventi",
              [row(10), row(11, tipo_intervento="POV99")], mtime=at("2026-04-04"))
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
