"""A naive ingestion, as a first script would do it: pandas with openpyxl per file, a fresh
GX validation per file, row-by-row inserts. The platform is compared against it on tier S."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pipelines.ingestion.columns import INTERVENTI, normalise_header


def naive_ingest(files: list[Path], database: Path) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import duckdb
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from pipelines.validation.suites import load_suite

    lookup = {normalise_header(c.template_header): c.name for c in INTERVENTI}
    for c in INTERVENTI:
        for a in c.aliases:
            lookup[normalise_header(a)] = c.name
    con = duckdb.connect(str(database))
    con.execute(
        "create or replace table naive (partner varchar, id varchar, cf varchar, "
        "sesso varchar, tipo varchar, data varchar, importo varchar)"
    )
    rows = 0
    native = [
        e
        for e in load_suite("interventi")["expectations"]
        if not e["kwargs"].get("column", "").startswith("chk__")
        and "column_A" not in e["kwargs"]
        and e["kwargs"].get("column") in {"id_intervento", "sesso", "area"}
    ]
    for n, path in enumerate(files):
        try:
            if path.suffix == ".csv":
                if "spese" in path.name:
                    continue
                raw = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, header=None)
            else:
                engine = "openpyxl" if path.suffix in (".xlsx", ".xlsm") else "calamine"
                raw = pd.read_excel(path, sheet_name=0, header=None, dtype=str, engine=engine)
        except Exception:
            continue
        header_idx = next(
            (
                i
                for i in range(min(len(raw), 20))
                if sum(normalise_header(v) in lookup for v in raw.iloc[i]) >= 3
            ),
            None,
        )
        if header_idx is None:
            continue
        df = raw.iloc[header_idx + 1 :].copy()
        df.columns = [
            lookup.get(normalise_header(v), f"x{i}") for i, v in enumerate(raw.iloc[header_idx])
        ]
        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)  # a quiet console
        batch = (
            ctx.data_sources.add_pandas(f"p{n}")
            .add_dataframe_asset("t")
            .add_batch_definition_whole_dataframe("b")
            .get_batch(batch_parameters={"dataframe": df})
        )
        batch.validate(ExpectationSuite(name=f"s{n}", expectations=[dict(e) for e in native]))
        for r in df.itertuples(index=False):
            d = r._asdict()
            con.execute(
                "insert into naive values (?, ?, ?, ?, ?, ?, ?)",
                [
                    path.parent.parent.name,
                    d.get("id_intervento"),
                    d.get("codice_fiscale"),
                    d.get("sesso"),
                    d.get("tipo_intervento"),
                    d.get("data_intervento"),
                    d.get("importo_euro"),
                ],
            )
            rows += 1
    con.close()
    return rows
