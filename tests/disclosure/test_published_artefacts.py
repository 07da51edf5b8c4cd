"""End to end, on a scenario of many small cells (8 partners, a dozen rows a month each, so
most partner-months have 1 to 4 households of some kind): the build's audit finds nothing
recoverable, a second audit of the published copy agrees, secondary suppressions are fewer
than primary ones, and every figure of the export, the report and the scorecards is a
display value of an audited cell (or, for a change on the previous month, of two)."""

from __future__ import annotations

import datetime as dt
import html as html_mod
import re
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines.disclosure import audit
from pipelines.ingest import ingest
from pipelines.reporting import excel, monthly, scorecard
from pipelines.reporting.data import Warehouse
from pipelines.synthetic.generator import GeneratorConfig, generate
from pipelines.warehouse.build import build_warehouse
from tests.helpers import parse_italian

CONFIG = GeneratorConfig(seed=17, partners=8, start_period="2026-01", months=4, rows_per_file=12)
PERIOD = "2026-04"


@pytest.fixture(scope="module")
def published(module_home: Path, module_settings) -> Path:
    generate(module_home / "inbox", CONFIG)
    ingest(module_settings)
    build_warehouse(module_settings, as_of=dt.date(2026, 6, 20))
    return module_home / "published" / "warehouse.duckdb"


def rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_build_audit_passed_with_fewer_secondary_than_primary(published: Path) -> None:
    ((_cells, primary, secondary, recoverable),) = rows(
        published,
        "select cells, primary_suppressed, secondary_suppressed, recoverable "
        "from meta.disclosure_audits",
    )
    assert recoverable == 0
    assert primary > 100, "the scenario should have many small cells"
    assert 0 < secondary < primary
    # the breakdowns are published and protected too
    assert (
        rows(
            published,
            "select count(*) from marts.indicator_breakdowns where suppression = 'secondary'",
        )[0][0]
        > 0
    )


def test_an_independent_audit_of_the_published_copy_agrees(published: Path) -> None:
    con = duckdb.connect(str(published), read_only=True)
    try:
        result = audit.audit(con)
    finally:
        con.close()
    assert result.passed, result.recoverable.head(10)
    assert result.cells == rows(published, "select cells from meta.disclosure_audits")[0][0]


def test_figures_about_organisations_stay_numbers(published: Path) -> None:
    """A partner's data-quality rates and spending are never hidden."""
    hidden = rows(
        published,
        "select count(*) from marts.indicator_values where is_suppressed "
        "and (indicator_code like 'DQ_%' or indicator_code in "
        "('FIN_SPEND_EUR', 'FIN_BUDGET_BURN', 'FIN_COFIN_SHARE'))",
    )
    assert hidden[0][0] == 0
    shown = rows(
        published,
        "select display_value from marts.indicator_values where scope = "
        "'partner' and indicator_code = 'DQ_COMPLETENESS' and period = "
        f"'{PERIOD}' and \"window\" = 'month'",
    )
    assert all(re.fullmatch(r"\d\.\d{4}", d) for (d,) in shown)


def display(published: Path) -> dict[tuple, str]:
    """(indicator, period, window, scope, scope_code, dimension, category) -> display."""
    out = {
        (c, p, w, s, sc or "", "", ""): d
        for c, p, w, s, sc, d in rows(
            published,
            'select indicator_code, period, "window", scope, scope_code, display_value '
            "from marts.indicator_values",
        )
    }
    out.update(
        {
            (c, p, w, s, sc or "", dim, cat): d
            for c, p, w, s, sc, dim, cat, d in rows(
                published,
                'select indicator_code, period, "window", scope, scope_code, dimension, '
                "dimension_value, display_value from marts.indicator_breakdowns "
                "where display_value is not null",
            )
        }
    )
    return out


def same(cell_value: object, shown: str | None) -> bool:
    if shown is None:
        return cell_value == "n.d."
    if shown == "<5":
        return cell_value == "<5"
    return isinstance(cell_value, float | int) and abs(float(cell_value) - float(shown)) < 1e-9


def shows(text: str, display: str | None) -> bool:
    """The Italian text of a figure is this display value (a rate to its 0,1 %)."""
    if display is None or display == "<5":
        return text == (display or "n.d.")
    try:
        value = parse_italian(text)
    except ValueError:
        return False
    return value is not None and abs(value - float(display)) <= (
        0.00051 if text.endswith("%") else 0.005
    )


def test_every_export_figure_is_a_published_cell(published: Path, tmp_path: Path) -> None:
    shown = display(published)
    scopes = {"Partenariato": "partnership", "Consorzi": "consortium", "Enti": "partner"}
    windows = {"mese": "month", "da inizio anno": "year", "dall'inizio": "cumulative"}
    with Warehouse(published) as wh:
        out = excel.write(wh, "2026-01", PERIOD, tmp_path / "export.xlsx")
    book = load_workbook(out, read_only=True)
    checked = 0
    for sheet, scope in scopes.items():
        for code, _name, period, window, where, value, _unit in list(
            book[sheet].iter_rows(values_only=True)
        )[1:]:
            key = (
                code,
                f"{period:%Y-%m}",
                windows[window],
                scope,
                "" if where == "partenariato" else where,
                "",
                "",
            )
            assert same(value, shown[key]), (key, value, shown[key])
            checked += 1
    levels = {"partenariato": "partnership", "consorzio": "consortium"}
    dims = {v: k for k, v in excel.DIMENSION_IT.items()}
    con = duckdb.connect(str(published), read_only=True)
    category = {
        (d, label): v
        for d, v, label in con.execute(
            "select dimension, dimension_value, label_it from reference.breakdown_categories"
        ).fetchall()
    }
    con.close()
    for code, _n, period, window, level, where, dim, cat, value in list(
        book["Disaggregazioni"].iter_rows(values_only=True)
    )[1:]:
        key = (
            code,
            f"{period:%Y-%m}",
            windows[window],
            levels[level],
            "" if where == "partenariato" else where,
            dims[dim],
            category[(dims[dim], cat)],
        )
        assert same(value, shown[key]), (key, value, shown[key])
        checked += 1
    assert checked > 1000


SPAN = re.compile(
    r'<span class="value" data-indicator="([A-Z_]+)" data-window="(\w+)" '
    r'(?:data-scope="(\w+)" |data-dimension="(\w+)" )data-suppressed="(?:true|false)">'
    r"([^<]*)</span>"
)


def test_every_report_and_scorecard_figure_is_a_published_cell(published: Path) -> None:
    """The report's and the scorecards' figures (each tagged with its cell) are the cells'
    display values, and a change on the previous month is printed only between two
    published numbers."""
    shown = display(published)
    with Warehouse(published) as wh:
        report = monthly.render(wh, PERIOD)
        cards = {
            p["partner_code"]: scorecard.render(wh, p["partner_code"], PERIOD)
            for p in wh.partners()
        }
    month_values = {k: v for k, v in shown.items() if k[1] == PERIOD}
    spans = SPAN.findall(report)
    assert len(spans) > 40
    for code, window, scope, dim, text in spans:
        text = html_mod.unescape(text)
        candidates = {
            v
            for k, v in month_values.items()
            if k[0] == code and k[2] == window and (k[3] == scope if scope else k[5] == dim)
        }
        assert any(shows(text, c) for c in candidates), (code, text, candidates)
    previous = "2026-03"
    for code in monthly.HEADLINE:
        now = shown[(code, PERIOD, "month", "partnership", "", "", "")]
        before = shown[(code, previous, "month", "partnership", "", "", "")]
        if "<5" in (now, before):
            card = report[report.index(f'data-indicator="{code}" data-window="month"') :][:600]
            assert "non calcolabile" in card
    for partner, html in cards.items():
        for code, window, scope, _dim, text in SPAN.findall(html):
            code_of = partner if scope == "partner" else None
            if scope == "partner":
                key = (code, PERIOD, window, scope, code_of, "", "")
                assert shows(html_mod.unescape(text), shown[key]), key


def test_a_failed_audit_stops_the_publication(published: Path, module_settings) -> None:
    """A leak planted in the live warehouse after the build (a secondary cell that alone
    protects a primary one is shown): the audit fails, nothing is published, the build is
    not recorded, and the previous publication stays as it was."""
    from pipelines.warehouse.errors import PublicationBlocked
    from pipelines.warehouse.plan import plan_build, save_pending
    from pipelines.warehouse.publish import audit_and_publish

    live = module_settings.home / "warehouse.duckdb"
    before = published.read_bytes()
    con = duckdb.connect(str(live))
    try:
        builds = con.execute("select count(*) from meta.builds").fetchone()[0]
        # a breakdown with exactly one primary and one secondary cell: show the secondary one
        group = con.execute("""
            select indicator_code, period, "window", scope, scope_code, dimension
            from marts.indicator_breakdowns where display_value is not null
            group by all
            having count(*) filter (where suppression = 'primary') = 1
               and count(*) filter (where suppression = 'secondary') = 1
            order by all limit 1""").fetchone()
        assert group is not None
        con.execute(
            """
            update marts.indicator_breakdowns
            set is_suppressed = false, suppression = null,
                display_value = cast(cast(value as bigint) as varchar)
            where indicator_code = ? and period = ? and "window" = ? and scope = ?
              and scope_code is not distinct from ? and dimension = ?
              and suppression = 'secondary'""",
            list(group),
        )
    finally:
        con.close()
    save_pending(module_settings, plan_build(module_settings, dt.date(2026, 6, 20)))
    with pytest.raises(PublicationBlocked, match="recoverable"):
        audit_and_publish(module_settings)
    assert published.read_bytes() == before
    con = duckdb.connect(str(live), read_only=True)
    try:
        assert con.execute("select count(*) from meta.builds").fetchone()[0] == builds
        assert (
            con.execute(
                "select recoverable from meta.disclosure_audits order by audited_at desc limit 1"
            ).fetchone()[0]
            > 0
        )
    finally:
        con.close()


def test_the_audit_of_the_chosen_cells_is_kept_only_when_the_marts_read_back_the_same(
    published: Path, module_settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The secondary suppression's last audit is of the cells it chose; the publication
    keeps it only when the marts, read back from the warehouse, are those cells. It then
    agrees with an audit from scratch. A mart that differs after the write (a secondary cell
    shown) is audited again, and the leak is found."""
    import shutil

    from pipelines.disclosure import protect
    from pipelines.warehouse.engine import DuckDBConnection

    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(module_settings.home / "warehouse.duckdb", copy)
    con = DuckDBConnection(duckdb.connect(str(copy)))
    try:
        chosen = protect.protect(con)
        assert chosen.audit.passed
        with caplog.at_level("WARNING", logger="pipelines.disclosure.protect"):
            kept = protect._audit_written(con, "marts", chosen)
        assert "read back" not in caplog.text
        scratch = audit.audit(con)
        assert (kept.cells, kept.primary, kept.secondary, len(kept.recoverable)) == (
            scratch.cells,
            scratch.primary,
            scratch.secondary,
            len(scratch.recoverable),
        )
        assert kept.passed and scratch.passed
        con.execute("""
            update marts.indicator_breakdowns
            set is_suppressed = false, suppression = null,
                display_value = cast(cast(value as bigint) as varchar)
            where suppression = 'secondary'""")
        with caplog.at_level("WARNING", logger="pipelines.disclosure.protect"):
            again = protect._audit_written(con, "marts", chosen)
        assert "read back" in caplog.text
        assert not again.passed and len(again.recoverable) > 0
    finally:
        con.close()
