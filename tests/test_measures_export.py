"""Exporting measures to T-SQL, PostgreSQL and Spark SQL, and the portable date rule."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
import sqlglot

from headway.measures import DIALECTS, ExportError, Measure, export, export_pack
from tests.pg import load_test_measures


def flat(sql: str) -> str:
    return " ".join(sql.split())


def line(sql: str, dialect: str, schema: str | None = None) -> str:
    """The export on one line, as sqlglot writes it unprettified."""
    return export(sql, dialect, schema=schema, pretty=False)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_test_measure_exports_and_parses_back(dialect: str) -> None:
    for m in load_test_measures():
        out = export(m.sql, dialect)
        assert sqlglot.parse_one(out, read=dialect) is not None, m.id
        assert ";" not in out


def test_tsql_is_idiomatic() -> None:
    sql = (
        "SELECT l.collection_year AS period, "
        "AVG(date_diff('day', e.cine_referral_date, e.cine_close_date)) AS value "
        "FROM ssd_cin_episodes AS e JOIN hw_loads AS l ON l.load_id = e.hw_load_id "
        "WHERE e.cine_close_date < e.cine_referral_date + INTERVAL 90 DAY "
        "AND e.cine_referral_date >= make_date(l.collection_year - 1, 4, 1) "
        "GROUP BY l.collection_year ORDER BY period LIMIT 10"
    )
    out = line(sql, "tsql")
    assert out.startswith("SELECT TOP 10 ")
    assert "LIMIT" not in out and "INTERVAL" not in out
    assert "AVG(CAST(DATEDIFF(DAY, e.cine_referral_date, e.cine_close_date) AS FLOAT))" in out
    assert "DATEADD(DAY, 90, e.cine_referral_date)" in out
    assert "DATEFROMPARTS(l.collection_year - 1, 4, 1)" in out
    sqlglot.parse_one(out, read="tsql")


def test_tsql_ratios_cast_to_float_and_count_big() -> None:
    sql = (
        "SELECT 2025 AS period, CAST(SUM(CASE WHEN pers_sex = '1' THEN 1 ELSE 0 END) "
        "AS DOUBLE PRECISION) / COUNT(DISTINCT pers_person_id) AS value FROM ssd_person"
    )
    out = line(sql, "tsql")
    assert "CAST(SUM(CASE WHEN pers_sex = '1' THEN 1 ELSE 0 END) AS FLOAT)" in out
    assert "COUNT_BIG(DISTINCT pers_person_id)" in out


def test_tsql_interval_arithmetic_becomes_dateadd() -> None:
    sql = (
        "SELECT 2025 AS period, count(*) AS value FROM ssd_cin_episodes "
        "WHERE cine_close_date > cine_referral_date - INTERVAL '6' MONTH "
        "AND cine_close_date < date_add(cine_referral_date, INTERVAL 2 DAY)"
    )
    out = line(sql, "tsql")
    assert "DATEADD(MONTH, -6, cine_referral_date)" in out
    assert "DATEADD(DAY, 2, cine_referral_date)" in out


def test_postgres_and_spark_spellings() -> None:
    sql = (
        "SELECT make_date(2025, 3, 31) AS period, "
        "date_diff('day', cine_referral_date, cine_close_date) AS value FROM ssd_cin_episodes "
        "WHERE cine_close_date < date_add(cine_referral_date, INTERVAL 2 DAY)"
    )
    pg = line(sql, "postgres")
    assert "MAKE_DATE(2025, 3, 31)" in pg
    assert "(CAST(cine_close_date AS DATE) - CAST(cine_referral_date AS DATE))" in pg
    spark = line(sql, "spark")
    assert "DATEDIFF(DAY, cine_referral_date, cine_close_date)" in spark
    assert "cine_referral_date + INTERVAL '2' DAY" in spark


def test_schema_qualifies_tables_but_not_ctes() -> None:
    sql = (
        "WITH people AS (SELECT pers_person_id FROM ssd_person) "
        "SELECT 2025 AS period, count(*) AS value FROM people"
    )
    out = line(sql, "tsql", schema="ssd")
    assert "FROM ssd.ssd_person" in out and "FROM people" in out


def test_unknown_dialect_and_unparseable_sql() -> None:
    with pytest.raises(ExportError, match="not a dialect"):
        export("SELECT 1 AS period, 1 AS value", "oracle")
    with pytest.raises(ExportError, match="cannot parse"):
        export("SELEC 1", "tsql")
    with pytest.raises(ExportError, match="GROUP BY ALL"):
        export("SELECT pers_sex, count(*) FROM ssd_person GROUP BY ALL", "tsql")


def test_export_pack_writes_one_file_per_measure_with_a_header(tmp_path: Path) -> None:
    measures = load_test_measures()
    tricky = Measure(
        "tricky-title",
        "A title\nSELECT 'injected'",
        "Two lines\nof definition.",
        "count",
        "collection-year",
        "SELECT 2025 AS period, count(*) AS value FROM ssd_person",
        ("ssd_person.pers_person_id",),
    )
    broken = Measure(
        "broken",
        "Broken",
        "Not portable.",
        "count",
        "collection-year",
        "SELECT pers_sex AS breakdown, 2025 AS period, count(*) AS value FROM ssd_person "
        "GROUP BY ALL",
    )
    result = export_pack([*measures, tricky, broken], "tsql", tmp_path / "out")
    names = sorted(p.name for p in result.files)
    assert names == sorted(f"{m.id}.sql" for m in [*measures, tricky])
    assert set(result.errors) == {"broken"} and "GROUP BY ALL" in result.errors["broken"]
    assert not (tmp_path / "out" / "broken.sql").exists()
    text = (tmp_path / "out" / "re-referral-rate.sql").read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("--")]
    assert header[0] == "-- Measure: re-referral-rate"
    assert header[1] == "-- Title: Re-referrals within 12 months"
    assert any(line.startswith("-- Definition: Of referrals in the year") for line in header)
    assert any(line.startswith("-- Unit: percent; period: collection-year") for line in header)
    assert any("ssd_cin_episodes.cine_referral_date" in line for line in header)
    assert "SQL Server (T-SQL)" in text
    assert text.rstrip().endswith(";")
    sqlglot.parse_one(text, read="tsql")
    # A title with a newline cannot break out of the comment block.
    tricky_text = (tmp_path / "out" / "tricky-title.sql").read_text(encoding="utf-8")
    assert "-- Title: A title SELECT 'injected'" in tricky_text
    assert [s for s in sqlglot.parse(tricky_text, read="tsql") if s] != []
    assert len([s for s in sqlglot.parse(tricky_text, read="tsql") if s]) == 1


# --- The portable date rule -----------------------------------------------------------------

PAIRS = [
    (date(2024, 2, 28), date(2024, 3, 1)),  # over a leap day
    (date(2024, 3, 30), date(2024, 4, 2)),  # over the clocks going forward in the UK
    (date(2023, 12, 31), date(2024, 1, 1)),
    (date(2024, 5, 1), date(2023, 5, 1)),  # negative
    (date(2020, 1, 1), date(2025, 12, 31)),
]


def test_date_diff_day_is_the_portable_spelling() -> None:
    sql = "SELECT date_diff('day', a, b) AS d FROM t"
    assert line(sql, "tsql") == "SELECT DATEDIFF(DAY, a, b) AS d FROM t"
    assert line(sql, "postgres") == "SELECT (CAST(b AS DATE) - CAST(a AS DATE)) AS d FROM t"
    assert line(sql, "spark") == "SELECT DATEDIFF(DAY, a, b) AS d FROM t"
    # datediff is the same function in DuckDB and exports the same way
    assert export(sql.replace("date_diff", "datediff"), "tsql") == export(sql, "tsql")


def test_date_diff_day_on_duckdb_is_whole_days() -> None:
    con = duckdb.connect()
    for a, b in PAIRS:
        got = con.execute("SELECT date_diff('day', ?::DATE, ?::DATE)", [a, b]).fetchone()
        assert got == ((b - a).days,)


def test_subtracting_dates_does_not_travel() -> None:
    # DuckDB and PostgreSQL give an integer, SQL Server refuses, and sqlglot passes it through.
    out = export("SELECT b - a AS d FROM t", "tsql")
    assert re.search(r"\bb - a\b", out)
