"""PostgreSQL parity: the same measures give the same results on DuckDB and on PostgreSQL.

Needs a real PostgreSQL (tests/pg.py says where, and how to start it); these tests fail,
never skip, when it is not there. Each test copies into its own schema and drops it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

import duckdb
import psycopg
import pytest
from psycopg import sql

from headway.measures import Measure, MeasureResult, export, run_measures
from headway.measures.postgres import copy_model, run_on_postgres, tables_to_copy
from headway.model.schema import create_tables
from headway.model.schema import tables as model_tables
from headway.workspace import Workspace
from tests import pg as pgtest
from tests.pg import load_test_measures, synthetic_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return synthetic_workspace(tmp_path_factory.mktemp("parity"))


@pytest.fixture
def pg() -> Iterator[pgtest.Connection]:
    conn = pgtest.connect()
    try:
        yield conn
    finally:
        conn.close()


def assert_same(duck: MeasureResult, post: MeasureResult) -> None:
    assert duck.ok, duck.error
    assert post.ok, post.error
    d, p = duck.values(), post.values()
    assert set(d) == set(p), duck.id
    for key, value in d.items():
        other = p[key]
        if value is None or other is None:
            assert value is other, (duck.id, key)
        else:
            assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9), (
                duck.id,
                key,
                value,
                other,
            )


def test_test_measures_give_the_same_results_on_duckdb_and_postgresql(
    ws: Workspace, pg: pgtest.Connection
) -> None:
    measures = load_test_measures()
    with ws.connect(read_only=True) as duck, pgtest.fresh_schema(pg) as schema:
        on_duckdb = run_measures(duck, measures)
        copied = copy_model(duck, pg, schema)
        on_postgres = run_on_postgres(pg, schema, measures)
    assert "hw_loads" in copied and copied["ssd_cin_episodes"] > 0
    assert [r.engine for r in on_postgres] == ["postgres"] * len(measures)
    for duck_result, pg_result in zip(on_duckdb, on_postgres, strict=True):
        assert duck_result.id == pg_result.id
        assert duck_result.rows, duck_result.id  # a parity test on nothing proves nothing
        assert_same(duck_result, pg_result)


def test_the_copy_takes_rows_of_tables_that_have_them_and_keeps_values_exact(
    pg: pgtest.Connection,
) -> None:
    duck = duckdb.connect()
    create_tables(duck)
    duck.execute(
        "INSERT INTO hw_loads VALUES (1, 'cin_census', 'cin_census', 2025, '201', 'f.xml', "
        "'abc', 10, TIMESTAMP '2025-05-01 10:11:12.5', NULL)"
    )
    duck.execute(
        "INSERT INTO ssd_person (pers_person_id, pers_forename, pers_surname, pers_dob, "
        "hw_load_id, hw_reported_age) VALUES "
        "('A1', '', NULL, DATE '2010-02-28', 1, 14), "
        "('A2', 'comma, \"quote\"' || chr(10) || 'newline', '\\N', NULL, 1, NULL)"
    )
    duck.execute(
        "INSERT INTO ssd_professionals (prof_professional_id, prof_full_time_equivalency, "
        "hw_load_id) VALUES ('P1', 0.1, 1), ('P2', 1e-17, 1)"
    )
    assert tables_to_copy(duck) == ["ssd_person", "ssd_professionals", "hw_loads"]
    with pgtest.fresh_schema(pg) as schema:
        counts = copy_model(duck, pg, schema)
        assert counts == {"ssd_person": 2, "ssd_professionals": 2, "hw_loads": 1}
        rows = pg.execute(
            sql.SQL(
                "SELECT pers_person_id, pers_forename, pers_surname, pers_dob, hw_reported_age "
                "FROM {} ORDER BY 1"
            ).format(sql.Identifier(schema, "ssd_person"))
        ).fetchall()
        assert rows == [
            ("A1", "", None, date(2010, 2, 28), 14),
            ("A2", 'comma, "quote"\nnewline', "\\N", None, None),
        ]
        fte = pg.execute(
            sql.SQL("SELECT prof_full_time_equivalency FROM {} ORDER BY 1").format(
                sql.Identifier(schema, "ssd_professionals")
            )
        ).fetchall()
        assert fte == [(1e-17,), (0.1,)]
        loaded = pg.execute(
            sql.SQL("SELECT loaded_at, detail FROM {}").format(sql.Identifier(schema, "hw_loads"))
        ).fetchone()
        assert loaded is not None and loaded[0].microsecond == 500000 and loaded[1] is None
        tables = {
            name
            for (name,) in pg.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                [schema],
            ).fetchall()
        }
        assert tables == {*model_tables(), "hw_loads"}  # the rest of the model, empty
        empty = pg.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, "ssd_address"))
        ).fetchone()
        assert empty == (0,)
    assert pg.execute(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", [schema]
    ).fetchone() == (0,)


def test_the_portable_date_difference_is_whole_days_on_postgresql(pg: pgtest.Connection) -> None:
    pairs = [
        (date(2024, 2, 28), date(2024, 3, 1)),
        (date(2024, 3, 30), date(2024, 4, 2)),
        (date(2024, 10, 26), date(2024, 10, 28)),
        (date(2024, 5, 1), date(2023, 5, 1)),
    ]
    duck = duckdb.connect()
    values = ", ".join(f"(DATE '{a}', DATE '{b}')" for a, b in pairs)
    query = f"SELECT date_diff('day', a, b) AS d FROM (VALUES {values}) AS t(a, b)"
    expected = [((b - a).days,) for a, b in pairs]
    assert duck.execute(query).fetchall() == expected
    got = pg.execute(export(query, "postgres").encode()).fetchall()
    assert got == expected
    assert all(type(d) is int for (d,) in got)
    # The trap: on timestamps, subtraction in PostgreSQL gives an interval, not a number.
    ts = pg.execute("SELECT TIMESTAMP '2024-03-01' - TIMESTAMP '2024-02-28'").fetchone()
    assert ts is not None and not isinstance(ts[0], int)


def test_a_measure_that_fails_on_postgresql_is_an_error(
    ws: Workspace, pg: pgtest.Connection
) -> None:
    # DuckDB gives NULL for a division by zero; PostgreSQL (and SQL Server) refuse it.
    broken = Measure(
        "broken",
        "Broken on PostgreSQL",
        "Divides by zero.",
        "count",
        "collection-year",
        "SELECT 2025 AS period, COUNT(*) / 0 AS value FROM ssd_person",
    )
    fine = load_test_measures()[0]
    with ws.connect(read_only=True) as duck, pgtest.fresh_schema(pg) as schema:
        copy_model(duck, pg, schema)
        results = run_on_postgres(pg, schema, [broken, fine])
    with ws.connect(read_only=True) as duck:
        assert run_measures(duck, [broken])[0].ok
    assert not results[0].ok
    assert "failed on PostgreSQL: division by zero" in (results[0].error or "")
    assert results[1].ok and results[1].rows  # the connection is still usable


def test_a_measure_that_runs_too_long_is_stopped(ws: Workspace, pg: pgtest.Connection) -> None:
    slow = Measure(
        "slow",
        "Slow",
        "A cross join of every child with every child, twice.",
        "count",
        "collection-year",
        "SELECT 2025 AS period, COUNT(*) AS value FROM ssd_person AS a, ssd_person AS b, "
        "ssd_person AS c",
    )
    with ws.connect(read_only=True) as duck, pgtest.fresh_schema(pg) as schema:
        copy_model(duck, pg, schema)
        (result,) = run_on_postgres(pg, schema, [slow], timeout_seconds=0.2)
        assert not result.ok and "statement timeout" in (result.error or "")
        assert pg.execute("SHOW statement_timeout").fetchone() == ("0",)


def test_an_unreachable_server_fails_with_how_to_start_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEADWAY_TEST_PG", "postgresql://postgres@127.0.0.1:1/none")
    with pytest.raises(pytest.fail.Exception) as failure:
        pgtest.connect()
    message = str(failure.value)
    assert "pg_ctlcluster --skip-systemctl-redirect 15 main start" in message
    assert "HEADWAY_TEST_PG" in message


def test_psycopg_is_the_real_driver() -> None:
    assert psycopg.__version__.startswith("3.")
