"""The submission calendar (marts.submission_calendar), read from the published copy.

Statuses are those of interfaces.md, computed by dbt at the last build: `not_due`,
`missing`, `rejected`, `late`, `corrected`, `on_time`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SYMBOLS = {"on_time": "✓", "corrected": "C", "late": "L", "rejected": "R", "missing": "✗",
           "not_due": "·"}
LEGEND = ("✓ on time · C corrected (on time, then replaced) · L late · R rejected only · "
          "✗ missing · · not yet due")


def load(published: Path, period: str | None = None) -> list[dict]:
    import duckdb

    con = duckdb.connect(str(published), read_only=True)
    try:
        sql = ("select partner_code, period, due_date, status, received_at, versions "
               "from marts.submission_calendar")
        params: list[str] = []
        if period:
            sql += " where period = ?"
            params.append(period)
        rows = con.execute(sql + " order by partner_code, period", params).fetchall()
    finally:
        con.close()
    return [{"partner": p, "period": m, "due_date": d.isoformat(), "status": s,
             "received_at": r.astimezone(dt.UTC).isoformat() if r else None, "versions": int(v)}
            for p, m, d, s, r, v in rows]


def as_table(rows: list[dict]) -> str:
    periods = sorted({r["period"] for r in rows})
    partners = sorted({r["partner"] for r in rows})
    cell = {(r["partner"], r["period"]): SYMBOLS.get(r["status"], "?") for r in rows}
    head = "partner  " + " ".join(p[2:] for p in periods)  # YY-MM columns
    lines = [head]
    for partner in partners:
        lines.append(f"{partner:<8} " + " ".join(f"{cell.get((partner, p), ' '):^5}" for p in periods))
    lines.append("")
    lines.append(LEGEND)
    return "\n".join(lines)
