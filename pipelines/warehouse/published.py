"""What the analysts' published copy of the warehouse already records, for the inbox sensor:
the (partner, period, sha256) keys of the files received, and the held files whose month was
reopened (they wait for an ingestion run). Read-only and short: it never blocks a writer."""

from __future__ import annotations

from pipelines.workspace import Workspace


def known_to_analysts(ws: Workspace) -> tuple[set[str], set[str]]:
    """Keys of recorded files, and keys of held files of months no longer approved."""
    import duckdb

    path = ws.published / "warehouse.duckdb"
    if not path.exists():
        return set(), set()
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return set(), set()
    try:
        rows = con.execute(
            "select partner_code, period, sha256, status from marts.submissions"
        ).fetchall()
        reopened = {
            (p, m)
            for p, m in con.execute(
                "select partner_code, period from marts.submission_calendar "
                "where held_files > 0 and not is_approved"
            ).fetchall()
        }
    except duckdb.Error:  # a copy published before these tables existed
        return set(), set()
    finally:
        con.close()
    known = {f"{p}|{m}|{s}" for p, m, s, _ in rows}
    to_apply = {f"{p}|{m}|{s}" for p, m, s, st in rows if st == "held" and (p, m) in reopened}
    return known, to_apply
