"""Reading partners' files: every format gives the same rows at the same row numbers.

Real files from `tests/fixtures/partner_files/` (written by LibreOffice or by hand, see its
README); what they hold is in `expected.json`, written with them. Typed values come from the
validation frame (`pipelines.validation.derived`), the one place the cell texts are typed,
so "the same canonical values" means what the warehouse would receive. No Great
Expectations here: these tests read files, they do not run the suites.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pipelines import settings as settings_mod
from pipelines.ingestion.reader import RawTable, read_file
from pipelines.validation.derived import TablePart, expenses_frame, interventions_frame
from tests.helpers import write_zip_bomb

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "partner_files"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
PERIOD = EXPECTED["period"]
CLEAN = EXPECTED["clean"]
CASES = {c["file"]: c for c in EXPECTED["cases"]}
WORKBOOKS = [
    "clean_interventi_spese.xlsx",
    "clean_interventi_spese.xlsm",
    "clean_interventi_spese.ods",
    "clean_interventi_spese.xls",
]
INTERVENTI_FILES = [*WORKBOOKS, "clean_interventi_it.csv", "clean_interventi_intl.csv"]
SPESE_FILES = [*WORKBOOKS, "clean_spese.csv"]

# canonical column -> the typed column of the validation frame that holds it
TYPED_INTERVENTI = {
    "id_intervento": "id_intervento",
    "codice_fiscale": "cf_norm",
    "anonimo": "anonimo_code",
    "anno_nascita": "anno_nascita_int",
    "sesso": "sesso_code",
    "comune_residenza": "comune_istat",
    "cittadinanza": "cittadinanza_code",
    "codice_nucleo": "codice_nucleo",
    "componenti_nucleo": "componenti_int",
    "minori_nucleo": "minori_int",
    "area": "area_code",
    "tipo_intervento": "tipo_code",
    "data_intervento": "data_date",
    "importo_euro": "importo_num",
    "ore": "ore_num",
    "esito": "esito_code",
    "inviante": "inviante_code",
    "row": "_row",
}
TYPED_SPESE = {
    "voce": "voce_code",
    "area": "area_code",
    "importo_totale": "importo_totale_num",
    "quota_cofinanziamento": "quota_cofinanziamento_num",
    "note": "note",
    "row": "_row",
}


def _plain(v: Any) -> Any:
    """Frame cells as plain Python: NaN -> None, whole floats of counts -> int, dates -> ISO."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    return v


def _typed(table: RawTable, columns: dict[str, str]) -> list[dict[str, Any]]:
    frame = (interventions_frame if table.table == "interventi" else expenses_frame)(
        [TablePart(0, PERIOD, table)]
    )
    return [
        {name: _plain(frame[col].iloc[i]) for name, col in columns.items()}
        for i in range(len(frame))
    ]


def _truth(table: str) -> list[dict[str, Any]]:
    """expected.json's rows with numbers as the frame holds them (floats)."""
    out = []
    for row in CLEAN[table]["rows"]:
        r = dict(row)
        for k in ("anno_nascita", "componenti_nucleo", "minori_nucleo"):
            if r.get(k) is not None:
                r[k] = float(r[k])
        out.append(r)
    return out


@pytest.fixture(scope="module")
def clean() -> dict[str, Any]:
    return {name: read_file(CORPUS / name) for name in {*INTERVENTI_FILES, *SPESE_FILES}}


# -- the clean month in every format -------------------------------------------------------
@pytest.mark.parametrize("name", INTERVENTI_FILES)
def test_interventi_read_the_same_in_every_format(clean: dict, name: str) -> None:
    result = clean[name]
    assert result.issues == []
    table = result.tables["interventi"]
    assert _typed(table, TYPED_INTERVENTI) == _truth("interventi")


@pytest.mark.parametrize("name", SPESE_FILES)
def test_spese_read_the_same_in_every_format(clean: dict, name: str) -> None:
    result = clean[name]
    assert result.issues == []
    assert _typed(result.tables["spese"], TYPED_SPESE) == _truth("spese")


def test_workbooks_give_the_same_cell_texts(clean: dict) -> None:
    """xlsx, xlsm, ods and xls written by LibreOffice from one source: the very same texts."""
    first = clean[WORKBOOKS[0]].tables
    assert first["interventi"].values["importo_euro"][8] == "1250.5"
    assert first["interventi"].values["data_intervento"][0] == "2026-03-02"  # a date cell
    for name in WORKBOOKS[1:]:
        for t in ("interventi", "spese"):
            assert clean[name].tables[t].values == first[t].values, (name, t)
            assert clean[name].tables[t].rows == first[t].rows, (name, t)


@pytest.mark.parametrize("name", INTERVENTI_FILES)
def test_title_rows_and_totals_row_are_not_data(clean: dict, name: str) -> None:
    table = clean[name].tables["interventi"]
    assert table.header_row == CLEAN["interventi"]["header_row"] == 4
    rows = [r["row"] for r in CLEAN["interventi"]["rows"]]
    assert table.rows == rows == list(range(5, 18))  # row 18, 'Totale', is not data
    assert "Totale" not in table.values["id_intervento"]
    assert clean[name].issues == []  # tolerated without any warning


@pytest.mark.parametrize("name", INTERVENTI_FILES)
def test_header_aliases_are_recognised_and_kept_as_written(clean: dict, name: str) -> None:
    headers = clean[name].tables["interventi"].headers
    assert headers == CLEAN["interventi"]["headers"]
    assert (
        headers["codice_fiscale"],
        headers["codice_nucleo"],
        headers["data_intervento"],
        headers["importo_euro"],
    ) == ("CF", "Cod. nucleo", "Data", "Importo €")


def test_decimal_comma_and_thousands_point(clean: dict) -> None:
    it = clean["clean_interventi_it.csv"].tables["interventi"]
    intl = clean["clean_interventi_intl.csv"].tables["interventi"]
    i = it.values["id_intervento"].index("I-2026-009")
    assert it.values["importo_euro"][i] == "1.250,50" and it.decimal_comma
    assert intl.values["importo_euro"][i] == "1250.50" and not intl.decimal_comma
    assert it.values["data_intervento"][i] == "20/03/2026"
    assert intl.values["data_intervento"][i] == "2026-03-20"
    for t in (it, intl):
        assert _typed(t, TYPED_INTERVENTI)[i]["importo_euro"] == 1250.5


def test_windows_1252_accents(clean: dict) -> None:
    raw = (CORPUS / "clean_interventi_it.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is Windows-1252
    assert "Forlì".encode("cp1252") in raw and "€".encode("cp1252") in raw
    table = clean["clean_interventi_it.csv"].tables["interventi"]
    assert CLEAN["accented"]["comune_residenza"] in table.values["comune_residenza"]
    notes = clean["clean_spese.csv"].tables["spese"].values["note"]
    assert (
        notes[0] == CLEAN["accented"]["note"] == "Operatrice dello sportello: attività di ascolto"
    )
    assert "Contributi già erogati: è la seconda tranche" in notes


def test_utf8_bom_does_not_reach_the_first_header(tmp_path: Path) -> None:
    text = (CORPUS / "clean_interventi_intl.csv").read_bytes().decode("utf-8-sig")
    assert (CORPUS / "clean_interventi_intl.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    body = "\r\n".join(text.split("\r\n")[3:])  # from the header row on, behind a BOM
    path = tmp_path / "marzo.csv"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    result = read_file(path)
    assert result.issues == []
    table = result.tables["interventi"]
    assert table.headers["id_intervento"] == "ID intervento"
    assert table.rows[0] == 2


# -- layouts the reader must take in its stride ------------------------------------------------
READER_CASES = [c for c in EXPECTED["cases"] if c["kind"] == "reader"]


@pytest.mark.parametrize("case", READER_CASES, ids=[c["file"] for c in READER_CASES])
def test_layouts(case: dict[str, Any]) -> None:
    result = read_file(CORPUS / case["file"])
    assert [(i.rule, i.row, i.column) for i in result.issues] == []
    assert {t: table.rows for t, table in result.tables.items()} == case["rows"]


# -- what cannot be read -------------------------------------------------------------------
BAD = [c for c in EXPECTED["cases"] if c["kind"] == "bad"]


@pytest.mark.parametrize("case", BAD, ids=[c["file"] for c in BAD])
def test_bad_input_gets_its_rule_never_an_exception(case: dict[str, Any]) -> None:
    result = read_file(CORPUS / case["file"])  # must not raise
    got = sorted((i.rule, i.severity, i.row, i.column) for i in result.issues)
    want = sorted((i["rule"], i["severity"], i["row"], i["column"]) for i in case["issues"])
    assert got == want
    assert not result.readable


def test_zip_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    path = tmp_path / "marzo.xlsx"
    write_zip_bomb(path, 200)
    assert path.stat().st_size < 1024**2  # 200 MB of zeros in a few hundred KB
    result = read_file(path)
    assert [(i.rule, i.row, i.column) for i in result.issues] == [("file_zip_bomb", None, None)]


def test_zip_bomb_lying_about_its_size_is_unreadable(tmp_path: Path) -> None:
    """The central directory says 5 KB: the size check passes, the parser must still stop."""
    path = tmp_path / "marzo.xlsx"
    write_zip_bomb(path, 100, declared=5000)
    with zipfile.ZipFile(path) as zf:
        assert sum(i.file_size for i in zf.infolist()) < 10_000
    result = read_file(path)
    assert [(i.rule, i.row, i.column) for i in result.issues] == [("file_unreadable", None, None)]


def test_file_over_the_size_limit(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSSERVATORIO_MAX_FILE_MB", "0.01")
    settings = settings_mod.load(home)
    assert settings.max_file_bytes == int(0.01 * 1024**2)
    big = read_file(CORPUS / "clean_interventi_spese.ods", settings.max_file_bytes)
    assert [(i.rule, i.row, i.column) for i in big.issues] == [("file_too_large", None, None)]
    assert "MB" in big.issues[0].message
    small = read_file(CORPUS / "clean_interventi_it.csv", settings.max_file_bytes)
    assert small.issues == []


def _ole_streams(data: bytes) -> dict[str, int]:
    """Names and sizes in a compound file's directory (just enough of MS-CFB to list it)."""
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    n_fat = struct.unpack_from("<I", data, 0x2C)[0]
    difat = struct.unpack_from("<109I", data, 0x4C)[:n_fat]
    fat: list[int] = []
    for sector in difat:
        start = (sector + 1) * size
        fat += struct.unpack_from(f"<{size // 4}I", data, start)
    streams: dict[str, int] = {}
    sector = struct.unpack_from("<I", data, 0x30)[0]
    while sector < 0xFFFFFFFA:
        start = (sector + 1) * size
        for off in range(start, start + size, 128):
            n = struct.unpack_from("<H", data, off + 0x40)[0]
            if n and data[off + 0x42] == 2:  # a stream
                name = data[off : off + n - 2].decode("utf-16-le")
                streams[name] = struct.unpack_from("<Q", data, off + 0x78)[0]
        sector = fat[sector]
    return streams


def test_password_protected_xlsx_fixture_is_a_real_encrypted_package() -> None:
    streams = _ole_streams((CORPUS / "bad_password.xlsx").read_bytes())
    assert {"EncryptionInfo", "EncryptedPackage"} <= set(streams)
    assert streams["EncryptedPackage"] > 4096  # the whole workbook is in there, encrypted
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(CORPUS / "bad_password.xlsx")


def test_a_scan_reads_again_only_the_files_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.ingestion import inbox as inbox_mod

    month = tmp_path / "inbox" / "P01" / "2026-03"
    month.mkdir(parents=True)
    for name in ("a.csv", "b.csv"):
        (month / name).write_text(f"{name}\n")
    cache = tmp_path / ".inbox-hashes.json"
    first = inbox_mod.scan(tmp_path / "inbox", cache)
    read: list[str] = []
    real = inbox_mod.sha256_of
    monkeypatch.setattr(inbox_mod, "sha256_of", lambda p: read.append(p.name) or real(p))
    assert inbox_mod.scan(tmp_path / "inbox", cache) == first and read == []
    (month / "b.csv").write_text("changed\n")  # new bytes, new size and time
    again = inbox_mod.scan(tmp_path / "inbox", cache)
    assert read == ["b.csv"]
    assert {d.name: d.sha256 for d in again}["b.csv"] == real(month / "b.csv")
    cache.write_text("{not json")  # a damaged cache costs only hashing again
    assert {d.sha256 for d in inbox_mod.scan(tmp_path / "inbox", cache)} == {
        d.sha256 for d in again
    }
