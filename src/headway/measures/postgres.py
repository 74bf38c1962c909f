"""Measures on PostgreSQL: copy a workspace's standard model into a schema, run the exports.

For the PostgreSQL parity test (every measure gives the same result as on DuckDB) and for an
LA or hub that keeps the model in PostgreSQL. The copy takes only the standard-model tables
that have rows, plus hw_loads, into a schema of the caller's choosing. It is a bulk copy:
DuckDB writes each table as CSV (its own fast, parallel writer) and psycopg streams that file
into COPY ... FROM STDIN, so no row passes through Python; DuckDB writes the next table
while PostgreSQL reads the current one. DuckDB's CSV keeps NULL (an empty
field) apart from the empty string (""), exactly as PostgreSQL's CSV format reads them.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import duckdb
import psycopg
from psycopg import sql

from headway.measures.engine import MeasureResult, build_result, exported, failed
from headway.measures.measure import MeasureLike
from headway.model.schema import tables

_PG_TYPES = {
    "VARCHAR": "text",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
}
_CHUNK = 1 << 20
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL type for a DuckDB column type (anything unusual travels as text)."""
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    return _PG_TYPES.get(duckdb_type, "text")


def tables_to_copy(duck: duckdb.DuckDBPyConnection) -> list[str]:
    """The standard-model tables that have rows, then hw_loads."""
    present = {
        name
        for (name,) in duck.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
    }
    names = []
    for name in tables():
        if name in present:
            has_rows = duck.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")').fetchone()
            if has_rows and has_rows[0]:
                names.append(name)
    return [*names, "hw_loads"]


@dataclass(frozen=True)
class _Csv:
    table: str
    columns: list[tuple[str, str]]  # name, DuckDB type
    path: Path


def _write_csv(duck: duckdb.DuckDBPyConnection, table: str, work: Path) -> _Csv:
    """DuckDB writes the table as CSV (run on a worker thread, on its own cursor)."""
    cur = duck.cursor()
    try:
        columns = [(row[0], row[1]) for row in cur.execute(f'DESCRIBE "{table}"').fetchall()]
        path = work / f"{table}.csv"
        select = ", ".join(f'"{name}"' for name, _ in columns)
        cur.execute(
            f"COPY (SELECT {select} FROM \"{table}\") TO '{path}' (FORMAT csv, HEADER false)"
        )
    finally:
        cur.close()
    return _Csv(table, columns, path)


def _create_table(
    pg: psycopg.Connection[tuple[object, ...]],
    schema: str,
    table: str,
    columns: Sequence[tuple[str, str]],
    unlogged: bool,
) -> None:
    ddl = sql.SQL("CREATE {}TABLE {} ({})").format(
        sql.SQL("UNLOGGED " if unlogged else ""),
        sql.Identifier(schema, table),
        sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type(kind)))
            for name, kind in columns
        ),
    )
    pg.execute(ddl)


def _load_csv(
    pg: psycopg.Connection[tuple[object, ...]], schema: str, csv: _Csv, unlogged: bool
) -> int:
    """Create the table in PostgreSQL and stream the CSV into COPY ... FROM STDIN."""
    target = sql.Identifier(schema, csv.table)
    _create_table(pg, schema, csv.table, csv.columns, unlogged)
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        target, sql.SQL(", ").join(sql.Identifier(name) for name, _ in csv.columns)
    )
    with pg.cursor() as cur:
        with cur.copy(copy_sql) as copy, csv.path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                copy.write(chunk)
        count = cur.rowcount
    csv.path.unlink()
    return count


def _index_people(cur: psycopg.Cursor[tuple[object, ...]], schema: str, table: str) -> None:
    """Index the child's id (and hw_loads' load_id), as any database holding the model
    would: PostgreSQL runs a correlated subquery (EXISTS inside CASE) once per row, and
    without an index each run reads the whole table."""
    columns = ["load_id"] if table == "hw_loads" else []
    if table != "hw_loads":
        model = tables()[table]
        columns = [c for c in model.column_names if c.endswith("_person_id")][:1]
    for column in columns:
        cur.execute(
            sql.SQL("CREATE INDEX ON {} ({})").format(
                sql.Identifier(schema, table), sql.Identifier(column)
            )
        )


def copy_model(
    duck: duckdb.DuckDBPyConnection,
    pg: psycopg.Connection[tuple[object, ...]],
    schema: str,
    unlogged: bool = False,
) -> dict[str, int]:
    """Copy the workspace's standard model (tables with rows, and hw_loads) into `schema`,
    which is created; returns rows copied per table. Commits when done.

    The model's other tables are created empty, so a measure that reads one (an LA that
    has loaded no SEN2 data yet) gives the same empty answer on both engines instead of
    failing on PostgreSQL only. Each table's child id column is indexed.

    DuckDB writes the next table's CSV while PostgreSQL reads the current one. `unlogged`
    makes UNLOGGED tables: no write-ahead log, so the copy is faster, but PostgreSQL
    empties them after a crash. Right for a working copy (tests, a benchmark, a one-off
    comparison), not for a model PostgreSQL is meant to keep."""
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"'{schema}' is not a plain lowercase schema name")
    counts: dict[str, int] = {}
    names = tables_to_copy(duck)
    with (
        tempfile.TemporaryDirectory(prefix="headway-pg-") as tmp,
        ThreadPoolExecutor(max_workers=1) as writer,
    ):
        with pg.cursor() as cur:
            cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        pending = writer.submit(_write_csv, duck, names[0], Path(tmp))
        for following in [*names[1:], None]:
            csv = pending.result()
            if following is not None:  # one table ahead, so at most two CSVs on disk
                pending = writer.submit(_write_csv, duck, following, Path(tmp))
            counts[csv.table] = _load_csv(pg, schema, csv, unlogged)
        for name, model in tables().items():
            if name not in counts:
                columns = [(c.name, c.type) for c in model.columns]
                _create_table(pg, schema, name, columns, unlogged)
        with pg.cursor() as cur:
            for table in counts:
                _index_people(cur, schema, table)
                cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))
    pg.commit()
    return counts


def run_on_postgres(
    pg: psycopg.Connection[tuple[object, ...]],
    schema: str,
    measures: Sequence[MeasureLike],
    timeout_seconds: float | None = None,
) -> list[MeasureResult]:
    """Run the PostgreSQL export of each measure against the model in `schema`; a measure
    that takes longer than timeout_seconds (if given) is stopped and reported as an error."""
    results = []
    with pg.cursor() as cur:
        cur.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        if timeout_seconds is not None:
            millis = max(1, round(timeout_seconds * 1000))
            cur.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(millis)))
    pg.commit()  # a SET inside a transaction that is rolled back would be undone
    try:
        for m in measures:
            results.append(_run_one(pg, m))
    finally:
        if timeout_seconds is not None and not pg.closed:
            pg.rollback()
            pg.execute("RESET statement_timeout")
            pg.commit()
    return results


def _run_one(pg: psycopg.Connection[tuple[object, ...]], m: MeasureLike) -> MeasureResult:
    text = exported(m, "postgres")
    if isinstance(text, MeasureResult):
        return text
    started = perf_counter()
    try:
        with pg.cursor() as cur:
            cur.execute(text.encode("utf-8"))
            columns = [d.name for d in cur.description or []]
            rows = cur.fetchall()
    except psycopg.Error as exc:
        pg.rollback()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return failed(
            m, f"the SQL failed on PostgreSQL: {message}", perf_counter() - started, "postgres"
        )
    finally:
        if pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            pg.rollback()
    return build_result(m, columns, rows, perf_counter() - started, "postgres")
