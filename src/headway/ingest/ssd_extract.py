"""SSD table extracts: CSV or Parquet files named after the ssd_* table they hold."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq

from headway.errors import HeadwayError
from headway.ingest.delimited import csv_records, load_rows
from headway.ingest.load import FileLoad
from headway.model.schema import Table, tables


def ssd_table_for(path: Path) -> Table | None:
    stem = path.name.split(".")[0].lower()
    t = tables().get(stem)
    return t if t is not None and t.from_ssd else None


def person_column(t: Table) -> str:
    for c in t.columns:
        if c.name.endswith("_person_id") and c.origin == "ssd":
            return c.name
    return t.columns[0].name


def check_columns(path: Path, t: Table, header: list[str]) -> list[str]:
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h not in t.column_names or h.startswith("hw_")]
    if unknown:
        raise HeadwayError(
            f"{path.name} is named after {t.name} but has columns the SSD does not define "
            f"for that table: {', '.join(unknown[:5])}.",
            f"Rename them to the SSD field names (headway docs: standard-model, {t.name}).",
        )
    return names


def parquet_header(path: Path) -> list[str]:
    try:
        return list(pq.ParquetFile(path).schema_arrow.names)
    except Exception as exc:  # pyarrow raises several types for broken files
        raise HeadwayError(
            f"{path.name} is not a readable Parquet file ({exc}).", "Export it again."
        ) from exc


def parquet_records(path: Path) -> Iterable[tuple[str, list[object]]]:
    n = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
        for row in batch.to_pylist():
            n += 1
            yield f"row {n}", list(row.values())


def read_ssd_extract(path: Path, t: Table, header: list[str], load: FileLoad) -> int:
    columns = check_columns(path, t, header)
    id_column = person_column(t)
    if id_column not in columns:
        raise HeadwayError(
            f"{path.name} has no {id_column} column, so its rows cannot be linked to a child.",
            f"Export {t.name} with all its identifier columns.",
        )
    records = parquet_records(path) if path.suffix.lower() == ".parquet" else csv_records(path)
    return load_rows(load, t.name, t.name, columns, id_column, records)
