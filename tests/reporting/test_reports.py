"""The month's report, a partner's scorecard and the Excel export of a small generated
scenario, opened in headless Chromium (offline) and checked against the warehouse."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from html import escape, unescape
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines.cli import main
from pipelines.ingest import ingest
from pipelines.reporting.monthly import HEADLINE
from pipelines.reporting.pdf import FLAGS
from pipelines.synthetic.generator import GeneratorConfig, generate
from pipelines.warehouse.build import build_warehouse
from tests.helpers import ITALIAN_NUMBER, parse_italian

PERIOD = "2026-03"
CONFIG = GeneratorConfig(seed=5, partners=4, start_period="2026-01", months=3, rows_per_file=25)
OUTPUT = Path(__file__).resolve().parents[1] / "output"
# targets, 5 area trends, children, housing, employment, the map of the Ambito, 2 finance,
# quality (no cohort has ended its horizon in three months: the cohorts' section says so,
# without charts)
REPORT_CHARTS = 13

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftoppm") is None,
    reason="chromium and poppler-utils: `make system-deps`",
)


@pytest.fixture(scope="module")
def home(module_home: Path, module_settings) -> Path:
    generate(module_home / "inbox", CONFIG)
    ingest(module_settings)
    build_warehouse(module_settings, as_of=dt.date(2026, 5, 20))
    assert main(["report", "--period", PERIOD]) == 0
    return module_home


def q(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def published(
    home: Path, scope: str, scope_code: str | None
) -> dict[tuple[str, str, str], tuple[bool, str]]:
    """(indicator, period, window) -> (is_suppressed, display_value) of one scope."""
    rows = q(
        home,
        'select indicator_code, period, "window", is_suppressed, display_value '
        "from marts.indicator_values where scope = ? and scope_code is not distinct from ?",
        [scope, scope_code],
    )
    return {(c, p, w): (bool(s), d) for c, p, w, s, d in rows}


def browse(page: Path, name: str, tmp: Path, height: int) -> tuple[str, str]:
    """The DOM Chromium rendered and its log (console messages); a screenshot for people."""
    base = ["chromium", *FLAGS, f"--user-data-dir={tmp / 'profile'}"]
    dom = subprocess.run(
        [*base, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / f"{name}.png"
    subprocess.run(
        [*base, f"--screenshot={shot}", f"--window-size=1100,{height}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000
    return dom.stdout, dom.stderr


SPAN = re.compile(
    r'<span class="value" data-indicator="([A-Z_]+)" data-window="(\w+)" '
    r'data-scope="(\w+)" data-suppressed="(true|false)">([^<]*(?:&lt;5)?[^<]*)</span>'
)


def spans(html: str) -> list[tuple[str, str, str, bool, str]]:
    import html as html_mod

    return [
        (c, w, s, flag == "true", html_mod.unescape(text))
        for c, w, s, flag, text in SPAN.findall(html)
    ]


def chart_data(html: str) -> list[list[dict]]:
    return [
        json.loads(m.replace("<\\/", "</"))
        for m in re.findall(
            r'<script type="application/json" class="chart-data">(.*?)</script>', html
        )
    ]


def assert_page_is_sound(dom: str, log: str, charts: int) -> None:
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert not console, console
    figures = re.findall(r'<figure class="chart".*?</figure>', dom, flags=re.S)
    assert len(figures) == charts
    for fig in figures:  # every chart drew: an SVG with Vega marks in its container
        assert "<svg" in fig and 'class="mark-' in fig and "role-mark" in fig, fig[:200]
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", dom, flags=re.I)
    assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//", dom, flags=re.I)
    assert "cdn" not in dom.lower() and "<link" not in dom.lower()


def same_figure(text: str, display: str | None, is_suppressed: bool) -> bool:
    """The Italian text a person reads is the published display value (a rate to the 0,1 %
    it is shown with)."""
    if is_suppressed:
        return text == "<5"
    if display is None:
        return text == "n.d."
    shown = parse_italian(text)
    return shown is not None and abs(shown - float(display)) <= (
        0.00051 if text.endswith("%") else 0.005
    )


def assert_suppression_kept(html: str, truth: dict, scope: str) -> int:
    """Every suppressed cell shows `<5` (text and chart data); returns how many were seen."""
    seen = 0
    for code, window, s, suppressed, text in spans(html):
        if s != scope:
            continue
        is_suppressed, display = truth[(code, PERIOD, window)]
        assert suppressed == is_suppressed, code
        assert same_figure(text, display, is_suppressed), (code, window, text, display)
        seen += is_suppressed
    for rows in chart_data(html):
        for row in rows:
            if "codice" in row:
                is_suppressed, display = truth[(row["codice"], row["periodo"], "month")]
                assert row["soppresso"] == is_suppressed
            if row.get("soppresso") or row.get("etichetta") == "<5":
                assert row["valore"] is None and row["etichetta"] == "<5", row
                seen += 1
    return seen


def assert_targets_shown(home: Path, html: str, scope: str, scope_code: str | None) -> None:
    """The targets section: every target of the year, its progress as published, the
    placeholders said to be placeholders."""
    rows = q(
        home,
        "select indicator_name_it, progress_display, is_placeholder from marts.indicator_targets "
        "where period = ? and scope = ? and scope_code is not distinct from ?",
        [PERIOD, scope, scope_code],
    )
    assert rows, "the scope has targets"
    section = html[html.index("<h2>Obiettivi 2026</h2>") :]
    section = section[: section.index("</table>")]
    assert "Obiettivi segnaposto" in section
    for name, progress, _ in rows:
        row = section[section.index(f"<td>{escape(name)}</td>") :]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row[: row.index("</tr>")])
        shown = unescape(re.sub(r"<[^>]+>", "", cells[3]))
        assert same_figure(shown, progress, progress == "<5"), (name, shown, progress)


def test_report_renders_offline_with_every_chart_and_the_published_headlines(
    home: Path, tmp_path: Path
) -> None:
    report = home / "reports" / f"report_{PERIOD}.html"
    html = report.read_text(encoding="utf-8")
    dom, log = browse(report, "report", tmp_path, 7000)
    assert_page_is_sound(dom, log, REPORT_CHARTS)
    truth = published(home, "partnership", None)
    shown = {(c, w): t for c, w, s, _, t in spans(dom) if s == "partnership"}
    for code in HEADLINE:
        for window in ("month", "cumulative"):
            is_suppressed, display = truth[(code, PERIOD, window)]
            assert same_figure(shown[(code, window)], display, is_suppressed), code
    assert_suppression_kept(html, truth, "partnership")
    assert "Glossario" in html and html.count("<tr>") > 28
    assert_targets_shown(home, html, "partnership", None)
    # Nothing is approved yet: the report says its figures are provisional, and whose.
    assert (
        "<strong>Dati provvisori</strong>: 28 rendiconti di marzo 2026 non sono ancora "
        "stati approvati"
        in html
        and "(P01, P02, P03" in html
    )


def test_scorecard_renders_and_keeps_suppressed_cells_as_lt5(home: Path, tmp_path: Path) -> None:
    # The partner with most suppressed cells, so the check has something to bite on.
    partner = q(
        home,
        "select scope_code from marts.indicator_values where scope = 'partner' "
        "and period <= ? group by 1 order by sum(is_suppressed::int) desc, 1 limit 1",
        [PERIOD],
    )[0][0]
    card = home / "outbox" / partner / PERIOD / f"scorecard_{PERIOD}.html"
    html = card.read_text(encoding="utf-8")
    dom, log = browse(card, "scorecard", tmp_path, 2400)
    assert_page_is_sound(dom, log, 3)
    assert assert_suppression_kept(html, published(home, "partner", partner), "partner") > 0
    for value in re.findall(r'data-suppressed="true">([^<]*)<', html):
        assert value == "&lt;5"
    assert_targets_shown(home, html, "partner", partner)


def test_scorecard_holds_no_other_partner(home: Path) -> None:
    partners = dict(q(home, "select partner_code, partner_name from marts.dim_partner"))
    for code in partners:
        html = (home / "outbox" / code / PERIOD / f"scorecard_{PERIOD}.html").read_text()
        others = set(re.findall(r"\bP\d{2}\b", html)) - {code}
        assert not others, (code, others)
        for other, name in partners.items():
            if other != code:
                assert name not in html, (code, name)
        assert {s for _, _, s, _, _ in spans(html)} <= {"partner", "consortium", "partnership"}


def test_pdf_opens_and_has_the_headline_numbers(home: Path, tmp_path: Path) -> None:
    pdf = home / "reports" / f"report_{PERIOD}.pdf"
    assert pdf.stat().st_size > 10_000
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 1000
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    truth = published(home, "partnership", None)
    numbers = [
        parse_italian(t)
        for t in re.findall(
            rf"(?<![\w.,/]){ITALIAN_NUMBER}(?: €| %)?(?![\w/])", text.replace("\u00a0", " ")
        )
    ]
    for code in HEADLINE:
        for window in ("month", "cumulative"):
            is_suppressed, display = truth[(code, PERIOD, window)]
            if is_suppressed:
                assert "<5" in text
            else:
                assert any(n is not None and abs(n - float(display)) <= 0.00051 for n in numbers), (
                    code,
                    window,
                    display,
                )


def test_excel_export_has_a_sheet_per_scope_the_glossary_and_no_exact_suppressed_value(
    home: Path,
) -> None:
    [xlsx] = list((home / "reports").glob("indicatori_*.xlsx"))
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames[:5] == ["Partenariato", "Consorzi", "Enti", "Disaggregazioni", "Glossario"]
    truth = {
        (c, p, w, s or "partenariato"): (sup, d)
        for c, p, w, s, sup, d in q(
            home,
            'select indicator_code, period, "window", scope_code, is_suppressed, display_value '
            "from marts.indicator_values where scope = 'partner'",
        )
    }
    window = {"mese": "month", "da inizio anno": "year", "dall'inizio": "cumulative"}
    suppressed = 0
    for code, _, period, win, scope, value, _ in wb["Enti"].iter_rows(min_row=2, values_only=True):
        is_suppressed, display = truth[(code, f"{period:%Y-%m}", window[win], scope)]
        if is_suppressed:
            suppressed += 1
            assert value == "<5"
        elif display is not None:
            assert float(value) == float(display)
    assert suppressed > 0
    glossary = list(wb["Glossario"].iter_rows(min_row=2, values_only=True))
    assert len(glossary) == q(home, "select count(*) from reference.indicators")[0][0]


def test_cli_refuses_a_month_the_warehouse_does_not_hold(
    home: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["report", "--period", "2031-01"]) == 2
    assert "no month 2031-01" in capsys.readouterr().err
    assert main(["report", "--period", "2026-3"]) == 2


def test_monthly_report_asset_runs_after_the_build_not_after_each_file(home: Path) -> None:
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.reporting.assets import monthly_report
    from pipelines.defs.resources import OsservatorioSettings

    d = defs()
    key = dg.AssetKey("monthly_report")
    assert key in d.resolve_job_def("build_warehouse").asset_layer.selected_asset_keys
    assert key not in d.resolve_job_def("ingest_and_build").asset_layer.selected_asset_keys
    for f in (home / "reports").glob("report_*"):
        f.unlink()
    result = dg.materialize(
        [monthly_report], resources={"osservatorio": OsservatorioSettings(home=str(home))}
    )
    assert result.success
    latest = q(home, "select max(period) from marts.dim_period where is_due")[0][0]
    assert (home / "reports" / f"report_{latest}.pdf").exists()


# -- Italian formats ---------------------------------------------------------------------
NUMBER_TOKEN = re.compile(r"(?<![\w/:.,-])\d[\d.,:/-]*(?<=\d)(?:\s?%|\s?€)?")
ITALIAN_TOKEN = re.compile(
    rf"{ITALIAN_NUMBER}(?: %| €)?"  # 1.234 · 1.234,56 · 96,4 % · 24.713,60 €
    r"|\d{2}/\d{2}/\d{4}"  # 05/03/2026
    r"|\d{2}:\d{2}"  # 14:30
    r"|(?:19|20)\d{2}"
)  # a year: ottobre 2026


MUNICIPALITY_SPAN = re.compile(
    r'<span class="value" data-municipality="(\d{6})" data-measure="(\w+)" '
    r'data-suppressed="(true|false)">([^<]*)</span>'
)
UNITS = {"persons_per_1000": "per_1000", "minors_per_1000_minors": "per_1000"}


def test_the_map_draws_the_48_municipalities_and_shows_only_published_texts(
    home: Path, tmp_path: Path
) -> None:
    """The choropleth has one shape per municipality of the Ambito (48, drawn by Chromium);
    its data and the table beside it carry the published texts of reach_by_municipality
    (year window), suppressed ones as `<5` with no number; the population's source and year
    are stated."""
    import html as html_mod

    from pipelines import formats
    from pipelines.reporting import monthly
    from pipelines.reporting.data import Warehouse

    with Warehouse(home / "published" / "warehouse.duckdb") as wh:
        html = monthly.render(wh, PERIOD)  # the report's HTML, whatever ran before
    report = tmp_path / f"report_{PERIOD}.html"
    report.write_text(html, encoding="utf-8")
    dom, log = browse(report, "report_map", tmp_path, 1500)
    assert not [line for line in log.splitlines() if ":CONSOLE" in line]
    figure = re.search(r'<figure class="chart" id="ambito-map".*?</figure>', dom, flags=re.S)
    assert figure is not None
    shapes = re.findall(r'<g class="mark-shape role-mark[^"]*"[^>]*>(.*?)</g>', figure[0], re.S)
    assert sum(g.count("<path") for g in shapes) == 48
    truth = {
        (code, measure): display
        for code, *displays in q(
            home,
            "select istat_code, persons_display, persons_per_1000_display, minors_display, "
            "minors_per_1000_minors_display, households_display "
            "from marts.reach_by_municipality where period = ? and \"window\" = 'year'",
            [PERIOD],
        )
        for measure, display in zip(
            ["persons", "persons_per_1000", "minors", "minors_per_1000_minors", "households"],
            displays,
            strict=True,
        )
    }
    seen = MUNICIPALITY_SPAN.findall(html)
    assert len(seen) == 48 * 5
    for code, measure, suppressed, text in seen:
        display = truth[(code, measure)]
        assert (suppressed == "true") == (display == "<5")
        assert html_mod.unescape(text) == formats.published(display, UNITS.get(measure, "persons"))
    rows = next(r for r in chart_data(html) if r and "istat_code" in r[0])
    assert len(rows) == 48
    for row in rows:
        display = truth[(row["istat_code"], "persons_per_1000")]
        if display == "<5":
            assert row["valore"] is None and row["etichetta"] == "<5" and row["soppresso"]
        else:
            assert row["valore"] == float(display)
    assert "Popolazione residente al 1° gennaio 2023: ISTAT" in html
    assert "Nessuna coorte ancora osservabile per intero" in html


def visible_text(html: str) -> str:
    """What a person reads: no script data, no styles, no attributes, no file names."""
    import html as html_mod

    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<span class="file">.*?</span>', " ", html, flags=re.S)
    return html_mod.unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


def foreign_numbers(text: str) -> list[str]:
    return [t for t in NUMBER_TOKEN.findall(text) if not ITALIAN_TOKEN.fullmatch(t)]


def test_every_number_a_person_reads_is_italian(home: Path) -> None:
    assert main(["report", "--period", PERIOD]) == 0  # the month's pages, whatever ran before
    report = (home / "reports" / f"report_{PERIOD}.html").read_text(encoding="utf-8")
    partner = q(home, "select min(partner_code) from marts.dim_partner")[0][0]
    card = (home / "outbox" / partner / PERIOD / f"scorecard_{PERIOD}.html").read_text(
        encoding="utf-8"
    )
    for name, page in (("report", report), ("scorecard", card)):
        text = visible_text(page)
        assert len(NUMBER_TOKEN.findall(text)) > 100, name  # the check has something to read
        assert foreign_numbers(text) == [], name
        assert not re.search(r"\b\d{4}-\d{2}\b", text), name  # months by name, not 2026-03
        assert "marzo 2026" in text
        for unit in ("persons", "households", "interventions", "rate"):
            assert f">{unit}<" not in page, (name, unit)  # the glossary's units in Italian
    assert "size: A4" in report
    # The checker itself: it would catch what used to be printed.
    assert foreign_numbers("24713.60 0.9643 1,000 96.4%") == [
        "24713.60",
        "0.9643",
        "1,000",
        "96.4%",
    ]


def test_the_export_holds_numbers_as_numbers_with_italian_months_and_units(home: Path) -> None:
    assert main(["report", "--period", PERIOD]) == 0
    xlsx = home / "reports" / f"indicatori_2026-01_{PERIOD}.xlsx"
    wb = load_workbook(xlsx)
    ws = wb["Partenariato"]
    headers = [c.value for c in ws[1]]
    month, value, unit = (headers.index(h) for h in ("Mese", "Valore", "Unità"))
    seen = 0
    for row in ws.iter_rows(min_row=2):
        m, v, u = row[month], row[value], row[unit]
        assert isinstance(m.value, dt.datetime) and "[$-410]" in m.number_format
        assert u.value in {"persone", "nuclei", "interventi", "euro", "tasso (percentuale)"}
        if isinstance(v.value, str):
            assert v.value in ("<5", "n.d."), v.value  # never a number written as text
        elif v.value is not None:
            assert v.number_format != "General"
            seen += 1
    assert seen > 50


def test_report_without_chromium_writes_the_rest_and_says_so_in_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on this PATH
    html = home / "reports" / f"report_{PERIOD}.html"
    html.unlink(missing_ok=True)
    assert main(["report", "--period", PERIOD]) == 0
    out = capsys.readouterr()
    assert html.is_file() and "Traceback" not in out.out + out.err
    [line] = [x for x in out.out.splitlines() if x.startswith("Report (PDF)")]
    assert "needs Chromium" in line and "make system-deps" in line
