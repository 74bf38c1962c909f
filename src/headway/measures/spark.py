"""Measures on Spark (optional extra `headway[spark]`), for when national pooling outgrows
one machine.

The standard model travels as Parquet, one file per table (export_parquet writes them from
a workspace); run_on_spark registers each file as a view named after its table and runs
the Spark SQL export of each measure. Local mode by default; pass a SparkSession to use a
cluster. The session time zone is UTC so that day differences never meet a clock change.
pyspark is imported only here, when asked for, so Headway works without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter
from typing import Any

import duckdb

from headway.errors import HeadwayError
from headway.measures.engine import MeasureResult, build_result, exported, failed
from headway.measures.measure import MeasureLike
from headway.measures.postgres import tables_to_copy

INSTALL_HINT = "Install the extra: pip install 'headway[spark]' (it needs Java 17 or newer)."


def export_parquet(duck: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, Path]:
    """Write the standard-model tables that have rows, and hw_loads, as out_dir/<table>.parquet."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for table in tables_to_copy(duck):
        path = out_dir / f"{table}.parquet"
        duck.execute(f"COPY \"{table}\" TO '{path}' (FORMAT parquet)")
        written[table] = path
    return written


def _pyspark_sql() -> Any:
    try:
        return importlib.import_module("pyspark.sql")
    except ImportError as exc:
        raise HeadwayError("Running measures on Spark needs pyspark.", INSTALL_HINT) from exc


def local_session(app_name: str = "headway-measures") -> Any:
    """A local-mode SparkSession on every core, in UTC."""
    builder = _pyspark_sql().SparkSession.builder
    return (
        builder.master("local[*]")
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def register_model(spark: Any, parquet_dir: Path) -> list[str]:
    """Register every <table>.parquet in parquet_dir as a temporary view; return the names."""
    names = []
    for path in sorted(parquet_dir.glob("*.parquet")):
        spark.read.parquet(str(path)).createOrReplaceTempView(path.stem)
        names.append(path.stem)
    if "hw_loads" not in names:
        raise HeadwayError(
            f"{parquet_dir} holds no hw_loads.parquet, so it is not an export of a workspace.",
            "Write one with headway.measures.spark.export_parquet.",
        )
    return names


def run_on_spark(
    measures: Sequence[MeasureLike], parquet_dir: Path, spark: Any | None = None
) -> list[MeasureResult]:
    """Run the Spark SQL export of each measure over the Parquet model in parquet_dir."""
    session = spark if spark is not None else local_session()
    register_model(session, parquet_dir)
    return [_run_one(session, m) for m in measures]


def _run_one(spark: Any, m: MeasureLike) -> MeasureResult:
    text = exported(m, "spark")
    if isinstance(text, MeasureResult):
        return text
    started = perf_counter()
    try:
        frame = spark.sql(text)
        columns = list(frame.columns)
        rows = [tuple(row) for row in frame.collect()]
    except Exception as exc:  # pyspark raises its own types (AnalysisException, Py4J errors)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return failed(m, f"the SQL failed on Spark: {first}", perf_counter() - started, "spark")
    return build_result(m, columns, rows, perf_counter() - started, "spark")
