"""Measures on Spark (optional extra headway[spark]): the same results as DuckDB.

The parity test runs when pyspark is importable and skips, saying how to get it, otherwise.
Writing the Parquet model and the error without pyspark are tested either way.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import duckdb
import pytest

from headway.errors import HeadwayError
from headway.measures import run_measures
from headway.measures.spark import export_parquet, run_on_spark
from headway.workspace import Workspace
from tests.pg import load_test_measures, synthetic_workspace

HAS_PYSPARK = importlib.util.find_spec("pyspark") is not None


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return synthetic_workspace(tmp_path_factory.mktemp("spark"))


def test_the_model_is_written_as_parquet(ws: Workspace, tmp_path: Path) -> None:
    with ws.connect(read_only=True) as con:
        written = export_parquet(con, tmp_path / "model")
        for table, path in written.items():
            stored = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            assert duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchone() == stored
    assert "hw_loads" in written and "ssd_cin_episodes" in written
    assert "ssd_sdq_scores" not in written  # empty tables are left out


@pytest.mark.skipif(HAS_PYSPARK, reason="pyspark is installed")
def test_without_pyspark_the_error_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(HeadwayError, match=r"headway\[spark\]"):
        run_on_spark(load_test_measures(), tmp_path)


def test_spark_gives_the_same_results_as_duckdb(ws: Workspace, tmp_path: Path) -> None:
    pytest.importorskip(
        "pyspark", reason="install headway[spark] (pip install 'headway[spark]', needs Java 17+)"
    )
    measures = load_test_measures()
    with ws.connect(read_only=True) as con:
        on_duckdb = run_measures(con, measures)
        export_parquet(con, tmp_path / "model")
    on_spark = run_on_spark(measures, tmp_path / "model")
    for d, s in zip(on_duckdb, on_spark, strict=True):
        assert d.ok and s.ok, (d.id, d.error, s.error)
        assert set(d.values()) == set(s.values()), d.id
        for key, value in d.values().items():
            other = s.values()[key]
            assert value is not None and other is not None
            assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9), (d.id, key)
