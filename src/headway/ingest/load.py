"""One load of one file into the standard model: buffered, typed, counted, reconciled.

A reader hands rows (raw values in mapping column order, plus where in the file they came
from) to a `FileLoad`. The load converts values to the model's types, keeps every value it
could not read in hw_value_issues (the original text, never lost), sets aside records that
cannot be stored in hw_quarantine with the reason, and counts read / stored / quarantined
per table so the load can prove it reconciles.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from headway.errors import HeadwayError
from headway.ingest.dates import parse_date
from headway.model.schema import table as model_table

FLUSH_ROWS = 100_000
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
}
_TRUE = {"1", "true", "y", "yes", "t"}
_FALSE = {"0", "false", "n", "no", "f"}


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed into Excel as a number: 1.0 means "1"
    s = str(value).strip()
    return s or None


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError
    return int(str(value).strip())


def _double(value: object) -> float:
    return float(str(value).strip()) if not isinstance(value, int | float) else float(value)


def _boolean(value: object) -> bool:
    s = str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError


def _date(value: object) -> date:
    d = parse_date(value)
    if d is None:
        raise ValueError
    return d


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "DATE": _date,
    "INTEGER": _integer,
    "DOUBLE": _double,
    "BOOLEAN": _boolean,
}
_ISSUE = {
    "DATE": "not a date Headway can read",
    "INTEGER": "not a whole number",
    "DOUBLE": "not a number",
    "BOOLEAN": "not a yes/no value",
}


@dataclass
class TableCount:
    read: int = 0
    stored: int = 0
    quarantined: int = 0


@dataclass
class ValueIssue:
    table: str
    column: str
    source_ref: str
    original: str
    issue: str


class TableWriter:
    """Rows for one table from one load. `add` is the hot path: keep it a list append."""

    def __init__(self, load: FileLoad, table_name: str, columns: Sequence[str]) -> None:
        self.load = load
        self.table = model_table(table_name)
        self.columns = tuple(columns)
        self.types = [self.table.column(c).type for c in self.columns]
        self.rows: list[tuple[Any, ...]] = []  # values..., source_ref

    def add(self, values: tuple[Any, ...], source_ref: str) -> None:
        self.rows.append((*values, source_ref))
        if len(self.rows) >= self.load.flush_rows:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows = self.rows.copy()
        self.rows.clear()  # in place: readers may hold this list (cin_xml._Kind)
        columns = list(zip(*rows, strict=True))
        refs = columns[-1]
        arrays = [
            self._convert(name, kind, values, refs)
            for name, kind, values in zip(self.columns, self.types, columns, strict=False)
        ]
        batch = pa.table(
            [*arrays, pa.array(refs, pa.string())], names=[*self.columns, "hw_source_ref"]
        )
        if self.load.spill_dir is not None:
            self._spill(batch)
        else:
            self.load.insert(self.table.name, batch)

    def _spill(self, batch: pa.Table) -> None:
        """In a worker process: write the batch to Parquet for the main process to insert."""
        assert self.load.spill_dir is not None
        path = self.load.spill_dir / f"{self.table.name}-{len(self.load.spilled)}.parquet"
        pq.write_table(batch, path, compression="none")
        self.load.spilled.append((self.table.name, path))

    def _convert(
        self, name: str, kind: str, values: Sequence[Any], refs: Sequence[str]
    ) -> pa.Array:
        if kind == "VARCHAR":
            return _strings(values)
        convert = _CONVERTERS[kind]
        # Returns repeat the same few thousand dates and codes: convert each distinct value once.
        lookup: dict[Any, Any] = {}
        for raw in set(values):
            text = _text(raw) if not isinstance(raw, date) else raw
            if text is None:
                lookup[raw] = None
                continue
            try:
                lookup[raw] = convert(raw if not isinstance(raw, str) else text)
            except (ValueError, OverflowError):
                lookup[raw] = _UNREADABLE
        out = [lookup[v] for v in values]
        if _UNREADABLE in lookup.values():
            for i, v in enumerate(out):
                if v is _UNREADABLE:
                    out[i] = None
                    self.load.issues.append(
                        ValueIssue(
                            self.table.name, name, refs[i], str(values[i]).strip(), _ISSUE[kind]
                        )
                    )
        return pa.array(out, ARROW_TYPES[kind])


_UNREADABLE = object()


def _strings(values: Sequence[Any]) -> pa.Array:
    """Text values trimmed, blanks as nulls; done by Arrow when every value is already text."""
    try:
        arr = pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([_text(v) for v in values], pa.string())
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


@dataclass
class FileLoad:
    """Everything one file adds to the workspace, inside the ingest's transaction.

    The reader counts every source record it sees in `records` (by kind: Child, CINdetails,
    Episodes, List 3 ...) and hands each to a writer or to `quarantine`. `finish` then proves
    that what the reader saw equals what is stored plus what was set aside, table by table.
    """

    con: duckdb.DuckDBPyConnection | None  # None in a worker process, which spills instead
    load_id: int
    source_file: str
    spill_dir: Path | None = None
    flush_rows: int = FLUSH_ROWS
    spilled: list[tuple[str, Path]] = field(default_factory=list)
    records: Counter[str] = field(default_factory=Counter)
    issues: list[ValueIssue] = field(default_factory=list)
    quarantine_rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    writers: dict[str, TableWriter] = field(default_factory=dict)
    kind_table: dict[str, str] = field(default_factory=dict)
    counts: dict[str, TableCount] = field(default_factory=dict)

    def writer(self, kind: str, table_name: str, columns: Sequence[str]) -> TableWriter:
        """The writer for one record kind, created on first use."""
        w = self.writers.get(kind)
        if w is None:
            w = self.writers[kind] = TableWriter(self, table_name, columns)
            self.kind_table[kind] = table_name
        return w

    @property
    def db(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            raise RuntimeError("a worker's load has no database connection")
        return self.con

    def insert(self, table_name: str, batch: pa.Table) -> None:
        """Insert an Arrow batch, stamped with this load."""
        self.db.register("_hw_batch", batch)
        try:
            self._insert_from(table_name, "_hw_batch", batch.column_names)
        finally:
            self.db.unregister("_hw_batch")

    def insert_parquet(self, table_name: str, paths: Sequence[Path]) -> None:
        """Insert the Parquet batches a worker process spilled, stamped with this load."""
        files = ", ".join(f"'{p}'" for p in paths)
        self._insert_from(table_name, f"read_parquet([{files}])", pq.read_schema(paths[0]).names)

    def _insert_from(self, table_name: str, source: str, columns: Sequence[str]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        self.db.execute(
            f'INSERT INTO "{table_name}" ({names}, hw_load_id, hw_source_file) '
            f"SELECT {names}, ?, ? FROM {source}",
            [self.load_id, self.source_file],
        )

    def flush_full(self) -> None:
        """Flush the writers whose buffers are full (for readers that append rows directly)."""
        for w in self.writers.values():
            if len(w.rows) >= self.flush_rows:
                w.flush()

    def quarantine(
        self, kind: str, table_name: str, source_ref: str, reason: str, raw: object
    ) -> None:
        self.kind_table.setdefault(kind, table_name)
        self.quarantine_rows.append(
            (table_name, source_ref, reason, json.dumps(raw, default=str, ensure_ascii=False))
        )

    def finish(self) -> None:
        """Write what is buffered and the load's issues and quarantine; then reconcile."""
        for w in self.writers.values():
            w.flush()
        issues = [(i.table, i.column, i.source_ref, i.original, i.issue) for i in self.issues]
        issue_columns = ["table_name", "column_name", "source_ref", "original_value", "issue"]
        self._append("hw_value_issues", issues, issue_columns)
        quarantine_columns = ["table_name", "source_ref", "reason", "raw"]
        self._append("hw_quarantine", self.quarantine_rows, quarantine_columns)
        self.reconcile()

    def _append(self, table_name: str, rows: Sequence[tuple[str, ...]], columns: list[str]) -> None:
        """Bookkeeping rows through Arrow: executemany is far too slow for thousands."""
        if not rows:
            return
        data = [pa.array(col, pa.string()) for col in zip(*rows, strict=True)]
        batch = pa.table([pa.array([self.load_id] * len(rows), pa.int32()), *data],
                         names=["load_id", *columns])  # fmt: skip
        self.db.register("_hw_bookkeeping", batch)
        try:
            names = ", ".join(batch.column_names)
            self.db.execute(
                f"INSERT INTO {table_name} ({names}) SELECT {names} FROM _hw_bookkeeping"
            )
        finally:
            self.db.unregister("_hw_bookkeeping")

    def reconcile(self) -> None:
        """Records read must equal rows stored plus records set aside, table by table."""
        read: Counter[str] = Counter()
        for kind, n in self.records.items():
            read[self.kind_table.get(kind, kind)] += n
        for name in sorted(set(read) | set(self.kind_table.values())):
            (stored,) = self.db.execute(
                f'SELECT count(*) FROM "{name}" WHERE hw_load_id = ?', [self.load_id]
            ).fetchone() or (0,)
            (held,) = self.db.execute(
                "SELECT count(*) FROM hw_quarantine WHERE load_id = ? AND table_name = ?",
                [self.load_id, name],
            ).fetchone() or (0,)
            if read[name] != stored + held:
                raise HeadwayError(
                    f"{self.source_file}: {name} does not reconcile: read {read[name]}, "
                    f"stored {stored}, set aside {held}.",
                    "Nothing was saved. Please report this as a Headway bug.",
                )
            if read[name]:
                self.counts[name] = TableCount(read[name], stored, held)
