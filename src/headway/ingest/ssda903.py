"""SSDA903 CSV tables, recognised by their header row (not their file name)."""

from __future__ import annotations

from pathlib import Path

from headway.ingest.delimited import csv_records, load_rows
from headway.ingest.load import FileLoad
from headway.ingest.mapping import mappings

# Some tools call the social worker table SocialWorker; it is the SWEpisodes table.
ALIASES = {"SocialWorker": "SWEpisodes"}


def table_for_header(header: list[str]) -> str | None:
    """The 903 table whose columns are exactly this header (any order, any case)."""
    cols = {h.strip().upper() for h in header}
    for kind, m in mappings("ssda903").items():
        if cols == {f.source for f in m.fields}:
            return kind
    return None


def read_903_csv(path: Path, kind: str, header: list[str], load: FileLoad) -> int:
    m = mappings("ssda903")[kind]
    columns = [m.column_of(h.strip().upper()) for h in header]
    return load_rows(load, kind, m.table, columns, m.column_of("CHILD"), csv_records(path))
