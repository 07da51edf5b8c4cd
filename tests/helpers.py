"""Small builders of partner files for tests (openpyxl for xlsx, csv for CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import struct
import zipfile
from pathlib import Path

from pipelines.ingestion.columns import INTERVENTI, SPESE
from pipelines.privacy.codice_fiscale import build

SURNAMES = ["RSSMRA", "BNCLGU", "VRDGPP", "FRRLRA", "CLMNNA", "GLLPLA", "MRNSFO", "BRNMTT"]


def person_cf(i: int, year: int = 1980, sex: str = "M") -> str:
    return build(SURNAMES[i % len(SURNAMES)], year, 1 + i % 12, 1 + i % 28, sex, "D142")


def row(i: int, period: str = "2026-03", **over) -> dict:
    """A valid intervention row (canonical names) for fictional person i."""
    year = 1970 + i % 40
    sex = "F" if i % 2 else "M"
    y, m = int(period[:4]), int(period[5:])
    base = {
        "id_intervento": f"INT{i:04d}",
        "codice_fiscale": person_cf(i, year, sex),
        "anonimo": "NO",
        "anno_nascita": year,
        "sesso": sex,
        "comune_residenza": "Crema",
        "cittadinanza": "ITA",
        "codice_nucleo": f"N{i:03d}",
        "componenti_nucleo": 3,
        "minori_nucleo": 1,
        "area": "POV",
        "tipo_intervento": "POV02",
        "data_intervento": dt.date(y, m, 1 + i % 28),
        "importo_euro": 150.0 + i,
        "ore": None,
        "esito": None,
        "inviante": "SERVIZIO_SOCIALE",
    }
    base.update(over)
    return base


def expense(
    voce: str = "PERSONALE", area: str = "POV", total: float = 1000.0, cofin: float = 200.0
) -> dict:
    return {
        "voce": voce,
        "area": area,
        "importo_totale": total,
        "quota_cofinanziamento": cofin,
        "note": None,
    }


def write_xlsx(
    path: Path,
    rows: list[dict],
    expenses: list[dict] | None = None,
    extra: dict[str, list] | None = None,
    mtime: dt.datetime | None = None,
) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "interventi"
    extra = extra or {}
    ws.append([c.template_header for c in INTERVENTI] + list(extra))
    for k, r in enumerate(rows):
        ws.append([r.get(c.name) for c in INTERVENTI] + [v[k] for v in extra.values()])
    if expenses is not None:
        sp = wb.create_sheet("spese")
        sp.append([c.template_header for c in SPESE])
        for e in expenses:
            sp.append([e.get(c.name) for c in SPESE])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if mtime:
        ts = mtime.timestamp()
        os.utime(path, (ts, ts))
    return path


def write_csv(path: Path, table: str, rows: list[dict], mtime: dt.datetime | None = None) -> Path:
    cols = INTERVENTI if table == "interventi" else SPESE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow([c.template_header for c in cols])
        for r in rows:
            out = []
            for c in cols:
                v = r.get(c.name)
                if isinstance(v, dt.date):
                    v = v.strftime("%d/%m/%Y")
                elif isinstance(v, float):
                    v = f"{v:.2f}".replace(".", ",")
                out.append("" if v is None else v)
            w.writerow(out)
    if mtime:
        ts = mtime.timestamp()
        os.utime(path, (ts, ts))
    return path


def at(day: str) -> dt.datetime:
    """An arrival time: noon UTC of an ISO day."""
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)


def write_zip_bomb(path: Path, megabytes: int = 200, declared: int | None = None) -> None:
    """A workbook-looking zip with `megabytes` of zeros; `declared` fakes the stated size."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            zeros = bytes(1024 * 1024)
            for _ in range(megabytes):
                fh.write(zeros)
    if declared is None:
        return
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while at != -1:  # central directory entries: lie about the expanded size
        n = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + n]) == name:
            struct.pack_into("<I", data, at + 24, declared)
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


# -- reading Italian numbers back (independently of pipelines.formats) ---------------------
ITALIAN_NUMBER = r"\d{1,3}(?:\.\d{3})*(?:,\d{1,2})?"


def parse_italian(text: str) -> float | None:
    """`1.234` 1234, `24.713,60 €` 24713.6, `96,4 %` 0.964; `<5` and `n.d.` None; anything
    else (`0.9643`, `24713.60`, `1,000`) raises ValueError."""
    import re

    s = text.replace("\u00a0", " ").strip()
    if s in ("<5", "n.d."):
        return None
    m = re.fullmatch(rf"([+-]?)({ITALIAN_NUMBER})( €| %)?", s)
    if not m:
        raise ValueError(f"not an Italian number: {text!r}")
    x = float(m.group(2).replace(".", "").replace(",", "."))
    x = -x if m.group(1) == "-" else x
    return x / 100 if m.group(3) == " %" else x
