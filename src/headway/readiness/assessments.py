"""The LA's self-assessment of a pack's expectations (no data can show a practice framework
was published: the LA says so, and readiness shows what is still open)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import duckdb

from headway.model.schema import create_tables


def record(
    con: duckdb.DuckDBPyConnection, pack_id: str, expectation_id: str, met: bool, note: str = ""
) -> None:
    create_tables(con)  # a workspace made before self-assessment existed
    con.execute(
        "INSERT OR REPLACE INTO hw_self_assessments VALUES (?, ?, ?, ?, ?)",
        [pack_id, expectation_id, met, note or None, datetime.now(UTC)],
    )


def met_expectations(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Expectation ids self-assessed as met, by pack id."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'hw_self_assessments'"
    ).fetchone()
    out: dict[str, set[str]] = defaultdict(set)
    if found and found[0]:
        for pack_id, expectation_id in con.execute(
            "SELECT pack_id, expectation_id FROM hw_self_assessments WHERE met"
        ).fetchall():
            out[pack_id].add(expectation_id)
    return dict(out)
