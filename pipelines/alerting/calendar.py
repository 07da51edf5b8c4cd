"""The submission calendar (marts.submission_calendar), read from the published copy.

Statuses are those of interfaces.md, computed by dbt at the last build: `not_due`,
`missing`, `rejected`, `held`, `late`, `corrected`, `on_time`; `approved` once the steward
approved the partner-month. Times are shown in Europe/Rome, with their offset.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Rome")
SYMBOLS = {
    "on_time": "✓",
    "corrected": "C",
    "late": "L",
    "rejected": "R",
    "held": "H",
    "missing": "✗",
    "not_due": "·",
}
LEGEND = (
    "✓ on time · C corrected (on time, then replaced) · L late · R rejected only · "
    "H a file held for an approved month · ✗ missing · · not yet due · "
    "* approved (locked)"
)


def load(published: Path, period: str | None = None) -> list[dict]:
    import duckdb

    con = duckdb.connect(str(published), read_only=True)
    try:
        sql = (
            "select partner_code, period, due_date, status, received_at, versions, "
            "is_approved from marts.submission_calendar"
        )
        params: list[str] = []
        if period:
            sql += " where period = ?"
            params.append(period)
        rows = con.execute(sql + " order by partner_code, period", params).fetchall()
    finally:
        con.close()
    return [
        {
            "partner": p,
            "period": m,
            "due_date": d.isoformat(),
            "status": s,
            "received_at": r.astimezone(TIMEZONE).isoformat() if r else None,
            "versions": int(v),
            "approved": bool(a),
        }
        for p, m, d, s, r, v, a in rows
    ]


def as_table(rows: list[dict]) -> str:
    periods = sorted({r["period"] for r in rows})
    partners = sorted({r["partner"] for r in rows})
    cell = {
        (r["partner"], r["period"]): SYMBOLS.get(r["status"], "?") + ("*" if r["approved"] else "")
        for r in rows
    }
    head = "partner  " + " ".join(p[2:] for p in periods)  # YY-MM columns
    lines = [head]
    for partner in partners:
        lines.append(
            f"{partner:<8} " + " ".join(f"{cell.get((partner, p), ' '):^5}" for p in periods)
        )
    lines.append("")
    lines.append(LEGEND)
    attention = [r for r in rows if r["status"] in ("rejected", "held")]
    if attention:
        lines.append("")
        lines.append("Files waiting for attention (received_at, Europe/Rome):")
        for r in attention:
            lines.append(
                f"  {r['partner']} {r['period']} {r['status']:<8} first file received "
                f"{_local(r['received_at'])}"
            )
    return "\n".join(lines)


def _local(iso: str | None) -> str:
    """An ISO time as the steward reads it: 2026-11-05 14:03 +01:00."""
    if not iso:
        return "-"
    import datetime as dt

    t = dt.datetime.fromisoformat(iso).astimezone(TIMEZONE)
    offset = t.strftime("%z")
    return f"{t:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"
