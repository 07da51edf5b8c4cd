"""The synthetic drops, read back from the files as a partner's reader would see them.

The checks re-derive everything from the bytes on disk (python-calamine for workbooks, the
csv module for CSV) with a small validator of their own, then compare with the manifest and
the truth CSVs: an issue the manifest announces must be in the file at that row and column,
and nothing else in the file may break a rule.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineError, CalamineWorkbook

from pipelines import reference
from pipelines.ingestion import columns
from pipelines.privacy.codice_fiscale import agrees_with, has_valid_check, normalise
from pipelines.synthetic import issues as inj
from pipelines.synthetic.__main__ import main as cli_main
from pipelines.synthetic.generator import GeneratorConfig, generate

BUSY = GeneratorConfig(
    seed=11,
    partners=8,
    months=3,
    rows_per_file=30,
    error_rate=0.35,
    warning_rate=0.35,
    late_rate=0.2,
    missing_rate=0.08,
    correction_rate=0.4,
    unreadable_rate=0.06,
)
SMALL = GeneratorConfig(seed=3, partners=4, months=3, rows_per_file=30)
ROW_RULES = set(inj.ERROR_KINDS) | {"anno_nascita_cf_mismatch", "importo_euro_high"}
MONEY = ("importo_euro", "importo_totale", "quota_cofinanziamento")
INTS = ("anno_nascita", "componenti_nucleo", "minori_nucleo")


# -- reading the files back -------------------------------------------------------------
def read_sheets(path: Path, fmt: str) -> dict[str, list[list[object]]]:
    if fmt == "csv":
        text = path.read_bytes().decode("cp1252")
        return {"csv": [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=";")]}
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def sheet_for(sheets: dict[str, list[list[object]]], table: str) -> tuple[str, list[list[object]]]:
    if "csv" in sheets:
        return "csv", sheets["csv"]
    for name, rows in sheets.items():
        if name.lower() == table:
            return name, rows
    assert table == "interventi" and len(sheets) == 1, sheets.keys()
    return next(iter(sheets.items()))


def text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def find_header(rows: list[list[object]], table: str) -> int:
    lookup = columns.header_lookup(table)
    for i, r in enumerate(rows):
        if sum(columns.normalise_header(c) in lookup for c in r if text(c)) >= 4:
            return i
    raise AssertionError(f"no {table} header row")


def canon(col: str, v: object) -> str:
    t = text(v)
    if col == "codice_fiscale":
        return normalise(t)
    if col == "anonimo":
        return t or "NO"
    if col == "comune_residenza" and t and not t.isdigit() and t != "SFD":
        return reference.municipality_by_name().get(reference.fold_name(t), t)
    if col == "data_intervento" and t:
        if isinstance(v, (date, datetime)):
            return v.isoformat()[:10]
        return datetime.strptime(t, "%d/%m/%Y").date().isoformat()
    if col in MONEY and t:
        return f"{Decimal(t.replace(',', '.')):.2f}"
    if col == "ore" and t:
        return f"{float(t.replace(',', '.')):g}"
    if col in INTS and t:
        return str(int(float(t.replace(",", "."))))
    return t


def data_rows(
    rows: list[list[object]], table: str
) -> tuple[dict[str, str], dict[str, int], list[tuple[int, dict[str, str]]]]:
    """(canonical -> header as written, header -> column index, [(row number, values)])."""
    h = find_header(rows, table)
    lookup = columns.header_lookup(table)
    index = {text(c): j for j, c in enumerate(rows[h]) if text(c)}
    headers = {
        lookup[columns.normalise_header(c)]: c
        for c in index
        if columns.normalise_header(c) in lookup
    }
    out = []
    for i in range(h + 1, len(rows)):
        r = rows[i]
        if not any(text(c) for c in r):
            continue
        if columns.normalise_header(r[0]) == "totale":
            assert i == len(rows) - 1, "the totals row is the last one"
            continue
        out.append(
            (
                i + 1,
                {
                    col: canon(col, r[index[hdr]] if index[hdr] < len(r) else None)
                    for col, hdr in headers.items()
                },
            )
        )
    return headers, index, out


# -- an independent validator -----------------------------------------------------------
def violations(
    rows: list[tuple[int, dict[str, str]]], headers: dict[str, str], period: str
) -> set[tuple[str, int, str]]:
    y, m = (int(x) for x in period.split("-"))
    catalogue = reference.services()
    municipalities = reference.municipalities()
    found: set[tuple[str, int, str]] = set()
    seen_ids: set[str] = set()

    def flag(rule: str, n: int, col: str) -> None:
        found.add((rule, n, headers[col]))

    for n, r in rows:
        if r["id_intervento"] in seen_ids:
            flag("id_intervento_duplicate", n, "id_intervento")
        seen_ids.add(r["id_intervento"])
        service = catalogue.get(r["tipo_intervento"])
        anon = r["anonimo"] == "SI"
        cf = r["codice_fiscale"]
        assert r["anonimo"] in ("SI", "NO")
        if anon:
            assert cf == "", "anonymous rows carry no codice fiscale"
            if service and not service.anonymous_allowed:
                flag("anonimo_not_allowed", n, "anonimo")
        elif not has_valid_check(cf):
            flag("codice_fiscale_check_char", n, "codice_fiscale")
        birth = int(r["anno_nascita"])
        if not 1900 <= birth <= y:
            flag("anno_nascita_range", n, "anno_nascita")
        elif cf and has_valid_check(cf):
            year_ok, sex_ok = agrees_with(cf, birth, r["sesso"])
            if not year_ok:
                flag("anno_nascita_cf_mismatch", n, "anno_nascita")
            if not sex_ok:
                flag("sesso_cf_mismatch", n, "sesso")
        if r["sesso"] not in columns.SEX:
            flag("sesso_value", n, "sesso")
        c = r["comune_residenza"]
        if c != columns.NO_FIXED_ABODE and c not in municipalities:
            flag("comune_residenza_unknown", n, "comune_residenza")
        members, minors = int(r["componenti_nucleo"]), int(r["minori_nucleo"])
        if not 1 <= members <= 20:
            flag("componenti_nucleo_range", n, "componenti_nucleo")
        if minors < 0 or minors > members or (minors < 1 and birth >= 1900 and y - birth <= 17):
            flag("minori_nucleo_range", n, "minori_nucleo")
        assert r["area"] in columns.AREAS
        if service is None:
            flag("tipo_intervento_unknown", n, "tipo_intervento")
        elif service.area != r["area"]:
            flag("tipo_intervento_area_mismatch", n, "tipo_intervento")
        d = date.fromisoformat(r["data_intervento"])
        if (d.year, d.month) != (y, m):
            flag("data_intervento_outside_period", n, "data_intervento")
        amount = Decimal(r["importo_euro"]) if r["importo_euro"] else None
        if service and service.monetary and not amount:
            flag("importo_euro_required", n, "importo_euro")
        if service and not service.monetary and amount:
            flag("importo_euro_not_allowed", n, "importo_euro")
        if amount and amount > 10_000:
            flag("importo_euro_high", n, "importo_euro")
        if service and r["esito"] and r["esito"] not in service.outcomes:
            flag("esito_value", n, "esito")
        if service and service.outcome_required and not r["esito"]:
            flag("esito_required", n, "esito")
        assert r["inviante"] in ("", *columns.REFERRERS)
        assert r["cittadinanza"] in ("", *columns.CITIZENSHIP)
        assert r["ore"] == "" or 0 <= float(r["ore"]) <= 24
    return found


# -- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("busy")
    manifest = generate(root / "inbox", BUSY)
    return root, manifest


def _files(manifest: dict, **where: str) -> list[dict]:
    return [f for f in manifest["files"] if all(f[k] == v for k, v in where.items())]


# -- tests ------------------------------------------------------------------------------
def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes of every file; the arrival (mtime) too for the inbox's files."""
    return {
        p.relative_to(root).as_posix(): (
            p.read_bytes(),
            p.stat().st_mtime_ns if "inbox" in p.relative_to(root).parts else 0,
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate(tmp_path / name / "inbox", SMALL)
    a, b = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert a == b
    assert {"synthetic_manifest.json", "truth_interventions.csv", "truth_expenses.csv"} <= set(a)
    assert any(k.endswith(".xlsx") for k in a) and any(k.endswith(".ods") for k in a)
    other = GeneratorConfig(**{**SMALL.__dict__, "seed": SMALL.seed + 1})
    generate(tmp_path / "c" / "inbox", other)
    c = _snapshot(tmp_path / "c")
    shared = set(a) & set(c)
    assert any(a[k][0] != c[k][0] for k in shared if k.endswith((".xlsx", ".ods", ".csv")))


def test_manifest_lists_exactly_the_files_with_their_arrival(busy: tuple[Path, dict]) -> None:
    root, manifest = busy
    on_disk = {
        p.relative_to(root / "inbox").as_posix() for p in (root / "inbox").rglob("*") if p.is_file()
    }
    assert on_disk == {f["path"] for f in manifest["files"]}
    assert not list((root / "inbox").rglob("*.json")), "the manifest stays outside the inbox"
    for f in manifest["files"]:
        path = root / "inbox" / f["path"]
        assert path.stat().st_mtime == datetime.fromisoformat(f["arrival"]).timestamp()
        assert f["arrival"][-6:] in ("+01:00", "+02:00")
        partner, period, _ = f["path"].split("/")
        assert (partner, period) == (f["partner"], f["period"])
        assert f["format"] == path.suffix[1:]
        if f["format"] == "csv":
            assert ("spese" in path.name) == (f["table_files"] == ["spese"])
    by_month = defaultdict(list)
    for f in manifest["files"]:
        by_month[f["partner"], f["period"]].append(f)
    for fs in by_month.values():
        fs.sort(key=lambda f: f["sequence"])
        assert [f["sequence"] for f in fs] == list(range(1, len(fs) + 1))
        arrivals = [datetime.fromisoformat(f["arrival"]) for f in fs]
        assert arrivals == sorted(arrivals) and len(set(arrivals)) == len(arrivals)
        assert fs[0]["kind"] == "original"
        assert len({f["path"].lower() for f in fs}) == len(fs)
        digests = {hashlib.sha256((root / "inbox" / f["path"]).read_bytes()).digest() for f in fs}
        assert len(digests) == len(fs), "every file of a partner-month is a distinct content"


def test_calendar_status_follows_the_files(busy: tuple[Path, dict]) -> None:
    _, manifest = busy
    seen = set()
    for pm in manifest["partner_months"]:
        files = sorted(
            _files(manifest, partner=pm["partner"], period=pm["period"]),
            key=lambda f: f["sequence"],
        )
        y, m = (int(x) for x in pm["period"].split("-"))
        due = date(y + m // 12, m % 12 + 1, int(reference.calendar_settings()["due_day"]))
        assert pm["due_date"] == due.isoformat()
        if files:  # the first file comes after the month, by the due day or 1-20 days late
            first = datetime.fromisoformat(files[0]["arrival"]).date()
            assert due.replace(day=1) <= first <= date.fromordinal(due.toordinal() + 20)
        accepted = [f for f in files if f["expected_status"] != "rejected"]
        if not files:
            expected = "missing"
        elif not accepted:
            expected = "rejected"
        elif datetime.fromisoformat(accepted[0]["arrival"]).date() > due:
            expected = "late"
        else:
            tables = [t for f in accepted for t in f["table_files"]]
            expected = "corrected" if len(tables) != len(set(tables)) else "on_time"
        assert pm["expected_calendar_status"] == expected, pm
        seen.add(expected)
    assert seen == {"missing", "rejected", "late", "corrected", "on_time"}


def test_every_codice_fiscale_has_a_valid_check_char_unless_injected(
    busy: tuple[Path, dict],
) -> None:
    root, manifest = busy
    checked = 0
    for f in manifest["files"]:
        if not f["table_files"] or "interventi" not in f["table_files"]:
            continue
        flagged = {i["row"] for i in f["issues"] if i["rule"] == "codice_fiscale_check_char"}
        _, rows = sheet_for(read_sheets(root / "inbox" / f["path"], f["format"]), "interventi")
        _, _, data = data_rows(rows, "interventi")
        for n, r in data:
            if r["codice_fiscale"]:
                assert has_valid_check(r["codice_fiscale"]) == (n not in flagged), (f["path"], n)
                checked += 1
    assert checked > 500


def test_injected_issues_are_exactly_what_the_files_break(busy: tuple[Path, dict]) -> None:
    root, manifest = busy
    rules: dict[str, int] = defaultdict(int)
    layouts: dict[str, int] = defaultdict(int)
    for f in manifest["files"]:
        path = root / "inbox" / f["path"]
        for i in f["issues"]:
            rules[i["rule"]] += 1
        if not f["table_files"]:  # unreadable: the file-level issue says why
            (issue,) = f["issues"]
            assert f["expected_status"] == "rejected" and issue["row"] is None
            if issue["rule"] == "file_empty":
                assert path.stat().st_size == 0
            else:
                assert issue["rule"] == "file_unreadable" and path.stat().st_size > 0
                with pytest.raises(CalamineError):
                    CalamineWorkbook.from_path(str(path))
            continue
        sheets = read_sheets(path, f["format"])
        for table in f["table_files"]:
            name, rows = sheet_for(sheets, table)
            headers, index, data = data_rows(rows, table)
            layouts["title rows" if find_header(rows, table) else "header on row 1"] += 1
            layouts["totals row"] += text(rows[-1][0]) == "Totale"
            if table == "spese":
                for _, r in data:
                    assert r["voce"] in columns.EXPENSE_ITEMS and r["area"] in columns.AREAS
                    total, cofin = Decimal(r["importo_totale"]), Decimal(r["quota_cofinanziamento"])
                    assert total > 0 and Decimal("0.14") * total <= cofin <= Decimal("0.26") * total
                assert 3 <= len(data) <= 6
                continue
            expected = {
                (i["rule"], i["row"], i["column"]) for i in f["issues"] if i["rule"] in ROW_RULES
            }
            assert violations(data, headers, f["period"]) == expected, f["path"]
            for i in f["issues"]:
                if i["rule"] in ROW_RULES:
                    assert i["sheet"] == (name if f["format"] != "csv" else "interventi")
                    assert i["row"] > find_header(rows, "interventi") + 1
                elif i["rule"] == "column_identifier_dropped":
                    assert i["column"] in index and columns.looks_like_identifier(i["column"])
                    assert any(text(rows[n - 1][index[i["column"]]]) for n, _ in data)
                elif i["rule"] == inj.RULE_UNKNOWN_COLUMN:
                    assert i["column"] in index
                    assert columns.normalise_header(i["column"]) not in columns.header_lookup(
                        "interventi"
                    )
                elif i["rule"] == inj.RULE_SHEET_FALLBACK:
                    assert "interventi" not in {s.lower() for s in sheets}
                else:
                    raise AssertionError(i)
            extra = set(index) - set(headers.values())
            announced = {
                i["column"]
                for i in f["issues"]
                if i["rule"] in ("column_identifier_dropped", inj.RULE_UNKNOWN_COLUMN)
            }
            assert extra == announced & extra
            status = (
                "rejected"
                if any(i["severity"] == "error" for i in f["issues"])
                else "accepted_with_warnings"
                if f["issues"]
                else "accepted"
            )
            assert f["expected_status"] == status
    assert len([r for r in rules if r in inj.ERROR_KINDS]) >= 6
    assert rules["column_identifier_dropped"] and rules["file_unreadable"] + rules["file_empty"]
    assert rules[inj.RULE_UNKNOWN_COLUMN] and rules[inj.RULE_SHEET_FALLBACK]
    assert {"xlsx", "csv", "ods"} == {f["format"] for f in manifest["files"]}
    assert layouts["title rows"] and layouts["header on row 1"] and layouts["totals row"]


@pytest.mark.parametrize("kind", inj.ERROR_KINDS)
def test_each_error_kind_lands_on_its_row(tmp_path: Path, kind: str) -> None:
    config = GeneratorConfig(
        seed=5,
        partners=4,
        months=2,
        rows_per_file=25,
        error_rate=1.0,
        warning_rate=0.0,
        missing_rate=0.0,
        unreadable_rate=0.0,
        error_kinds=(kind,),
    )
    manifest = generate(tmp_path / "inbox", config)
    hits = 0
    for f in manifest["files"]:
        if "interventi" not in f["table_files"]:
            continue
        expected = {
            (i["rule"], i["row"], i["column"]) for i in f["issues"] if i["rule"] in ROW_RULES
        }
        _, rows = sheet_for(read_sheets(tmp_path / "inbox" / f["path"], f["format"]), "interventi")
        headers, _, data = data_rows(rows, "interventi")
        assert violations(data, headers, f["period"]) == expected
        hits += len(expected)
        assert all(rule == kind for rule, _, _ in expected)
    assert hits >= 2


def test_truth_is_the_latest_accepted_version_of_each_table(busy: tuple[Path, dict]) -> None:
    root, manifest = busy
    truth: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for table, name in (("interventi", "truth_interventions.csv"), ("spese", "truth_expenses.csv")):
        with (root / name).open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                truth[table, r["partner_code"], r["period"]].append(r)
    expected_keys = set()
    for pm in manifest["partner_months"]:
        for table in ("interventi", "spese"):
            files = [
                f
                for f in _files(manifest, partner=pm["partner"], period=pm["period"])
                if table in f["table_files"] and f["expected_status"] != "rejected"
            ]
            if not files:
                continue
            latest = max(files, key=lambda f: f["sequence"])
            expected_keys.add((table, pm["partner"], pm["period"]))
            _, rows = sheet_for(
                read_sheets(root / "inbox" / latest["path"], latest["format"]), table
            )
            _, _, data = data_rows(rows, table)
            got = truth[table, pm["partner"], pm["period"]]
            assert {r["file_path"] for r in got} == {latest["path"]}
            assert [int(r["row_number"]) for r in got] == [n for n, _ in data]
            cols = [c.name for c in columns.TABLES[table]]
            assert [{c: r[c] for c in cols} for r in got] == [
                {c: d.get(c, "") for c in cols} for _, d in data
            ]
    assert set(truth) == expected_keys


def test_people_look_like_a_caseload(busy: tuple[Path, dict]) -> None:
    root, manifest = busy
    with (root / "truth_interventions.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    named = [r for r in rows if r["anonimo"] == "NO"]
    anon = [r for r in rows if r["anonimo"] == "SI"]
    assert anon and {r["tipo_intervento"] for r in anon} <= {"POV01", "POV04", "POV05"}
    partners_of = defaultdict(set)
    periods_of = defaultdict(set)
    for r in named:
        partners_of[r["codice_fiscale"]].add(r["partner_code"])
        periods_of[r["codice_fiscale"], r["partner_code"]].add(r["period"])
    assert any(len(p) >= 2 for p in partners_of.values()), "some people see two partners"
    assert max(len(p) for p in partners_of.values()) <= 3
    assert sum(len(p) >= 2 for p in periods_of.values()) > len(periods_of) / 5
    assert any(len(cf) == 11 for cf in partners_of) or manifest["people"]["provisional_codes"]
    households = {(r["partner_code"], r["codice_nucleo"]): int(r["minori_nucleo"]) for r in rows}
    share = sum(v >= 1 for v in households.values()) / len(households)
    assert 0.2 < share < 0.6
    crema = sum(r["comune_residenza"] == "019035" for r in named) / len(named)
    assert 0.25 < crema < 0.7
    for r in rows:
        if r["tipo_intervento"] in ("POV02", "POV03", "LAV02", "CASA01", "CASA04"):
            assert Decimal(r["importo_euro"]) > 0


def test_workbooks_are_valid_reproducible_zips(busy: tuple[Path, dict]) -> None:
    root, manifest = busy
    for f in manifest["files"]:
        if f["format"] == "csv" or not f["table_files"]:
            continue
        with zipfile.ZipFile(root / "inbox" / f["path"]) as z:
            infos = z.infolist()
            assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
            if f["format"] == "ods":
                assert infos[0].filename == "mimetype"
                assert infos[0].compress_type == zipfile.ZIP_STORED
                assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
            else:
                core = z.read("docProps/core.xml").decode()
                saved = datetime.fromisoformat(f["arrival"]).timestamp() - 600
                stamp = datetime.fromtimestamp(saved, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                assert core.count(stamp) == 2, "created and modified: the file's save time"


def test_cli_writes_inbox_and_manifest(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        cli_main(
            [
                "--out",
                str(tmp_path),
                "--partners",
                "2",
                "--months",
                "1",
                "--rows",
                "10",
                "--seed",
                "9",
                "--start",
                "2026-11",
            ]
        )
        == 0
    )
    manifest = json.loads((tmp_path / "synthetic_manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["start_period"] == "2026-11"
    assert {f["partner"] for f in manifest["files"]} <= {"P01", "P02"}
    assert (tmp_path / "inbox").is_dir()
    assert "files in" in capsys.readouterr().out


def test_bad_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="error kinds"):
        generate(tmp_path / "inbox", GeneratorConfig(error_kinds=("no_such_rule",)))
    with pytest.raises(ValueError, match="inside the inbox"):
        generate(tmp_path / "inbox", SMALL, tmp_path / "inbox" / "m.json")
    with pytest.raises(ValueError, match="YYYY-MM"):
        generate(tmp_path / "inbox", GeneratorConfig(start_period="2026-13"))
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    assert os.listdir(tmp_path) in ([], ["inbox"])


def test_follow_up_paths_continue_across_areas_and_come_back_to_arrears(tmp_path: Path) -> None:
    """With follow_up_paths, POV cases go on as LAV04 placements at the same partner and
    households come back for another CASA01 months later; the default leaves no such
    pattern beyond chance (it draws nothing from the paths' stream)."""
    import pandas as pd

    def paths(share: float) -> tuple[int, int]:
        out = tmp_path / str(share)
        config = GeneratorConfig(
            seed=17, partners=3, months=10, rows_per_file=20, follow_up_paths=share
        )
        generate(out / "inbox", config, manifest_path=out / "manifest.json")
        iv = pd.read_csv(out / "truth_interventions.csv", dtype=str, keep_default_na=False)
        iv["day"] = pd.to_datetime(iv.data_intervento)
        named = iv[iv.codice_fiscale != ""]
        first_pov = named[named.area == "POV"].groupby(["partner_code", "codice_fiscale"]).day.min()
        first_lav04 = (
            named[named.tipo_intervento == "LAV04"]
            .groupby(["partner_code", "codice_fiscale"])
            .day.min()
        )
        both = pd.concat([first_pov, first_lav04], axis=1, keys=["pov", "lav"]).dropna()
        pov_then_lav = int((both.lav > both.pov).sum())
        casa = iv[iv.tipo_intervento == "CASA01"].sort_values("day")
        gaps = casa.groupby(["partner_code", "codice_nucleo"]).day.diff().dt.days
        return pov_then_lav, int((gaps > 60).sum())

    lav, arrears = paths(0.6)
    lav_before, arrears_before = paths(0.0)
    assert lav > max(5, 2 * lav_before) and arrears > max(2, 2 * arrears_before)
