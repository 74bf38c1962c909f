"""Running measures on DuckDB: results, latest values, and clear errors instead of exceptions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from headway.measures import Measure, MeasureResult, run_measures
from headway.measures.contract import check_sql
from headway.measures.engine import format_value, print_results, to_json
from headway.workspace import Workspace
from tests.pg import load_test_measures, synthetic_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return synthetic_workspace(tmp_path_factory.mktemp("engine"))


@pytest.fixture
def con(ws: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    with ws.connect(read_only=True) as c:
        yield c


def measure(sql: str, id: str = "m", unit: str = "count") -> Measure:
    return Measure(id, f"Measure {id}", "A test measure.", unit, "collection-year", sql, ())


def one(con: duckdb.DuckDBPyConnection, sql: str, unit: str = "count") -> MeasureResult:
    return run_measures(con, [measure(sql, unit=unit)])[0]


def test_every_test_measure_runs_and_gives_each_year(con: duckdb.DuckDBPyConnection) -> None:
    results = run_measures(con, load_test_measures())
    assert [r.error for r in results] == [None] * len(results)
    for r in results:
        assert {row.period for row in r.rows} <= {2024, 2025}, r.id
        assert r.latest_period == 2025, r.id
        assert r.seconds >= 0
        for row in r.rows:
            assert row.value is not None and row.value >= 0, r.id
            if r.unit == "percent":
                assert row.value <= 100, r.id
            if r.unit == "share":
                assert row.value <= 1, r.id


def test_results_match_an_independent_count(con: duckdb.DuckDBPyConnection) -> None:
    by_id = {r.id: r for r in run_measures(con, load_test_measures())}
    children = dict(
        con.execute(
            "SELECT l.collection_year, count(DISTINCT e.cine_person_id) FROM ssd_cin_episodes e "
            "JOIN hw_loads l ON l.load_id = e.hw_load_id WHERE l.source_return = 'cin_census' "
            "GROUP BY 1"
        ).fetchall()
    )
    cin = by_id["children-in-need-by-need"]
    assert {p: v for (p, b), v in cin.values().items() if b is None} == children
    assert cin.latest_value == children[2025]  # the total row, not a breakdown
    shares = by_id["cp-plans-by-category"]
    for period in (2024, 2025):
        total = sum(v or 0 for (p, _b), v in shares.values().items() if p == period)
        assert total == pytest.approx(1.0)
    assert shares.latest_period == 2025 and shares.latest_value is None  # breakdowns only


def test_a_failing_measure_is_an_error_not_an_exception(con: duckdb.DuckDBPyConnection) -> None:
    good = measure("SELECT 2025 AS period, 1 AS value", "good")
    bad = measure("SELECT 2025 AS period, no_such_column AS value FROM ssd_person", "bad")
    results = run_measures(con, [bad, good])
    assert not results[0].ok and results[0].rows == ()
    assert "failed on DuckDB" in (results[0].error or "")
    assert "no_such_column" in (results[0].error or "")
    assert results[1].ok and results[1].latest_value == 1


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 2025 AS period, 3 AS amount", "without value"),
        ("SELECT 1 AS value", "without period"),
        ("SELECT 2025 AS period, 1 AS value, 'x' AS breakdown, 2 AS other", "nothing else"),
        ("SELECT 2025 AS period, 'many' AS value", "is not a number"),
        ("SELECT 2024.5 AS period, 1 AS value", "not a whole number"),
        ("SELECT 2025 AS period, 1 AS value UNION ALL SELECT 2025, 2", "two rows for period"),
    ],
)
def test_results_that_break_the_contract_are_errors(
    con: duckdb.DuckDBPyConnection, sql: str, expected: str
) -> None:
    result = one(con, sql)
    assert not result.ok
    assert expected in (result.error or "")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 2025 AS period, 1 AS value;", "semicolon"),
        ("DELETE FROM ssd_person", "not a SELECT"),
        ("SELECT 2025 AS period, count(*) AS value FROM hw_quarantine", "not a standard-model"),
        ("SELECT 2025 AS period, count(*) AS value FROM read_csv('x.csv')", "not from a table"),
        ("SELECT 2025 AS period, count(*) AS value FROM main.ssd_person", "schema"),
        (
            "SELECT 2025 AS period, avg(cine_close_date - cine_referral_date) AS value "
            "FROM ssd_cin_episodes",
            "date_diff('day'",
        ),
        (
            "SELECT 2025 AS period, count(*) FILTER (WHERE pers_sex = '1') AS value "
            "FROM ssd_person",
            "FILTER",
        ),
        (
            "SELECT pers_sex AS breakdown, 2025 AS period, count(*) AS value FROM ssd_person "
            "GROUP BY ALL",
            "GROUP BY ALL",
        ),
        (
            "SELECT 2025 AS period, max(date_diff('month', cine_referral_date, "
            "cine_close_date)) AS value FROM ssd_cin_episodes",
            "months",
        ),
        (
            "SELECT 2025 AS period, count(*) AS value FROM ssd_cin_episodes "
            "WHERE cine_referral_date + 30 > cine_close_date",
            "INTERVAL n DAY",
        ),
        ("SELEC 2025 AS period", "cannot parse"),
        ("SELECT 2025 AS period, list_sum([1, 2]) AS value", "does not know"),
        ("SELECT 2025 AS period, median(pers_dob) AS value FROM ssd_person", "MEDIAN"),
    ],
)
def test_sql_that_breaks_the_contract_does_not_run(
    con: duckdb.DuckDBPyConnection, sql: str, expected: str
) -> None:
    result = one(con, sql)
    assert not result.ok
    assert "contract" in (result.error or "")
    assert expected in (result.error or ""), result.error


def test_a_measure_cannot_change_the_workspace(ws: Workspace) -> None:
    with ws.connect() as con:
        before = con.execute("SELECT count(*) FROM ssd_person").fetchone()
        result = one(con, "DELETE FROM ssd_person")
        assert not result.ok
        assert con.execute("SELECT count(*) FROM ssd_person").fetchone() == before


def test_portable_test_measures_pass_the_static_checks() -> None:
    for m in load_test_measures():
        assert check_sql(m.sql) == [], m.id


def test_rows_are_sorted_and_latest_is_the_total(con: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "SELECT 2025 AS period, 'b' AS breakdown, 2 AS value "
        "UNION ALL SELECT 2024, NULL, 5 UNION ALL SELECT 2025, NULL, 7 "
        "UNION ALL SELECT 2025, 'a', 1"
    )
    result = one(con, sql)
    assert [(r.period, r.breakdown) for r in result.rows] == [
        (2024, None),
        (2025, None),
        (2025, "a"),
        (2025, "b"),
    ]
    assert (result.latest_period, result.latest_value) == (2025, 7)
    empty = one(con, "SELECT 2025 AS period, 1 AS value WHERE false")
    assert empty.ok and empty.rows == () and empty.latest_period is None


def test_json_and_rich_output(con: duckdb.DuckDBPyConnection) -> None:
    results = run_measures(
        con,
        [
            measure("SELECT 2025 AS period, 42.25 AS value", "pct", "percent"),
            measure("SELECT nonsense", "broken"),
        ],
    )
    data = json.loads(to_json(results))
    assert [m["id"] for m in data["measures"]] == ["pct", "broken"]
    first = data["measures"][0]
    assert first["ok"] and first["latest_value"] == 42.25 and first["latest_period"] == 2025
    assert first["rows"] == [{"period": 2025, "value": 42.25, "breakdown": None}]
    assert data["measures"][1]["ok"] is False and data["measures"][1]["error"]
    console = Console(record=True, width=160)
    print_results(results, console)
    text = console.export_text()
    assert "42.2%" in text or "42.3%" in text
    assert "error" in text and "1 failed" in text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (12.345, "percent", "12.3%"),
        (1234.0, "count", "1,234"),
        (40.06, "days", "40.1 days"),
        (31.25, "rate-per-10000", "31.2 per 10,000"),
        (0.4286, "share", "0.429"),
        (None, "count", "-"),
    ],
)
def test_values_read_as_their_unit(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_pack_measures_work_through_the_protocol(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    class PackMeasure:  # shaped like headway.packs' pydantic Measure: sql is a property
        id = "from-pack"
        title = "From a pack"
        definition = "Read from a pack."
        unit = "count"
        period = "collection-year"
        items = ("ssd_person.pers_person_id",)

        @property
        def sql(self) -> str:
            return "SELECT 2025 AS period, count(*) AS value FROM ssd_person"

    result = run_measures(con, [PackMeasure()])[0]
    assert result.ok and result.latest_value and result.latest_value > 0
