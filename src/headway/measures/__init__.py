"""Measures: SQL over the standard model, run on DuckDB and exported to other engines.

- measure: what a measure is (Measure, and MeasureLike for the pack loader's own type)
- contract: the measure SQL contract, checked before anything runs (docs/measures.md)
- engine: run on the workspace's DuckDB; results, JSON and Rich output
- export: sqlglot exports to T-SQL, PostgreSQL and Spark SQL; one file per measure
- postgres: copy the model into PostgreSQL and run the exports there (parity)
- spark: the same on PySpark in local mode (optional extra headway[spark])
"""

from headway.measures.engine import MeasureResult, MeasureRow, run_measures
from headway.measures.export import DIALECTS, ExportError, export, export_pack
from headway.measures.measure import Measure, MeasureLike

__all__ = [
    "DIALECTS",
    "ExportError",
    "Measure",
    "MeasureLike",
    "MeasureResult",
    "MeasureRow",
    "export",
    "export_pack",
    "run_measures",
]
