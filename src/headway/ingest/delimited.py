"""Delimited tables (SSDA903 CSVs, SSD extracts): rows in, standard-model rows out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from headway.ingest.load import FileLoad
from headway.ingest.text_files import open_text, rows


def load_rows(
    load: FileLoad,
    kind: str,
    table_name: str,
    columns: list[str],
    id_column: str,
    records: Iterable[tuple[str, list[object]]],
) -> int:
    """Store each record (source ref, values in `columns` order); set aside the unusable.

    A record with a different number of fields from the header, or with no child
    identifier, is quarantined with its reason. Returns the number of blank rows skipped.
    """
    writer = load.writer(kind, table_name, columns)
    id_pos = columns.index(id_column)
    blank = 0
    for ref, values in records:
        if not any(v not in (None, "") for v in values):
            blank += 1
            continue
        load.records[kind] += 1
        if len(values) != len(columns):
            load.quarantine(
                kind,
                table_name,
                ref,
                f"the row has {len(values)} fields but the header has {len(columns)}",
                values,
            )
        elif values[id_pos] in (None, "") or not str(values[id_pos]).strip():
            load.quarantine(
                kind,
                table_name,
                ref,
                "the row has no child identifier",
                dict(zip(columns, values, strict=True)),
            )
        else:
            writer.add(tuple(values), ref)
    return blank


def csv_records(path: Path) -> Iterable[tuple[str, list[object]]]:
    with open_text(path) as f:
        for line, fields in rows(f):
            yield f"line {line}", list(fields)
