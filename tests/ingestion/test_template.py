"""The partners' template: instructions first, full labels, drop-downs that depend on the
row's area and service (read back from the file), and a row filled from the drop-downs,
saved by LibreOffice, accepted as it is."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipelines import reference
from pipelines.ingestion.columns import INTERVENTI
from pipelines.ingestion.inbox import drop_of
from pipelines.ingestion.template import write_template
from pipelines.settings import load
from tests.helpers import person_cf

OUTPUT = Path(__file__).resolve().parents[1] / "output"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "modello.xlsx")


def _letter(header: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(
        next(i for i, c in enumerate(INTERVENTI, start=1) if c.template_header == header)
    )


def _validation(ws, letter: str):  # type: ignore[no-untyped-def]
    return next(
        dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}2:")
    )


def _named(wb, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The values of a named range, read from the cells it points at."""
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return [c.value for (c,) in wb[sheet][ref.replace("$", "")] if c.value not in (None, "")]


def test_instructions_come_first_in_a_volunteers_words(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames[0] == "istruzioni"
    text = "\n".join(
        str(c.value) for row in wb["istruzioni"].iter_rows() for c in row if c.value is not None
    )
    for shell in ("osservatorio check", "--partner", "inbox/", ".venv", "make "):
        assert shell not in text, shell
    assert "Come inviarlo" in text and "Che cosa succede dopo" in text
    # an example row, column by column, with every header of the template
    assert all(c.template_header in text for c in INTERVENTI)


def test_catalogue_labels_are_whole(template: Path) -> None:
    wb = load_workbook(template)
    labels = {r[0]: r[2] for r in wb["catalogo"].iter_rows(min_row=2, values_only=True)}
    seed = {
        line.split(",")[0]: line
        for line in (SEEDS / "services.csv").read_text(encoding="utf-8").splitlines()[1:]
    }
    assert set(labels) == set(seed)
    for code, label in labels.items():
        assert label == reference.services()[code].label
        assert label in seed[code]  # the whole label of the seed, not a cut one


def test_service_list_depends_on_the_area_and_outcomes_on_the_service(template: Path) -> None:
    wb = load_workbook(template)
    ws = wb["interventi"]
    area, tipo, esito = _letter("Area"), _letter("Tipo intervento"), _letter("Esito")
    formula = _validation(ws, tipo).formula1
    m = re.fullmatch(rf'INDIRECT\("(\w+)"&\$?{area}\$?2\)', formula)
    assert m, formula
    services = reference.services()
    areas = _named(wb, _validation(ws, area).formula1)
    assert sorted(areas) == sorted(reference.areas())
    for a in areas:
        offered = _named(wb, m.group(1) + a)
        codes = [v.split(" – ")[0] for v in offered]
        assert codes == [c for c, s in services.items() if s.area == a], a
        assert all(services[c].area == a for c in codes)
        for v in offered:  # code and full label
            code = v.split(" – ")[0]
            assert v == f"{code} – {services[code].label}"
    formula = _validation(ws, esito).formula1
    m = re.fullmatch(rf'INDIRECT\("(\w+)"&LEFT\(\$?{tipo}\$?2,.*\)\)', formula)
    assert m, formula
    for code, s in services.items():
        assert _named(wb, m.group(1) + code) == list(s.outcomes), code


def test_a_row_filled_from_the_drop_downs_and_saved_by_libreoffice_is_accepted(
    template: Path, tmp_path: Path, home: Path
) -> None:
    from pipelines.validation.evaluate import evaluate

    wb = load_workbook(template)
    ws = wb["interventi"]
    values = {
        "ID intervento": "A-1",
        "Codice fiscale": person_cf(3, 1980, "F"),
        "Anonimo": "NO",
        "Anno di nascita": 1980,
        "Sesso": "F",
        "Comune di residenza": "Spino d’Adda",
        "Cittadinanza": "ITA",
        "Codice nucleo familiare": "N-1",
        "Componenti nucleo": 3,
        "Minori nel nucleo": 1,
        "Area": "LAV",
        "Tipo intervento": _named(wb, "area_LAV")[1],
        "Data intervento": "12/03/2026",
        "Importo erogato (€)": 300,
        "Esito": _named(wb, "esiti_LAV02")[0],
        "Inviante": "SERVIZIO_SOCIALE",
    }
    for j, c in enumerate(INTERVENTI, start=1):
        if c.template_header in values:
            ws.cell(row=2, column=j, value=values[c.template_header])
    filled = tmp_path / "src" / "marzo.xlsx"
    filled.parent.mkdir()
    wb.save(filled)
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx:Calc Office Open XML",
            "--outdir",
            str(out),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    v = evaluate([drop_of(out / "marzo.xlsx", "P01", "2026-03")], load(home))[0]
    assert [(i.rule, i.row, i.column) for i in v.issues] == []
    assert v.status == "accepted" and v.rows_read == 1


def test_libreoffice_opens_the_template_instructions_first(template: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(template),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "modello.pdf"
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "come compilarlo e inviarlo" in first
    assert "CASA01 – Contributo morosità incolpevole" in first  # the example row
    OUTPUT.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(OUTPUT / "template"),
        ],
        check=True,
        timeout=60,
    )
    assert (OUTPUT / "template.png").stat().st_size > 10_000
