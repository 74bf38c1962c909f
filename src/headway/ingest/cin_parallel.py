"""Reading a large CIN census file with one process per core.

The file is cut at Child start tags into one slice per worker. Each worker parses its
slice (wrapped so it is a document of its own), converts rows exactly as the single-process
reader does, and writes them to Parquet; the main process then inserts the Parquet into
DuckDB inside the ingest's transaction. Children are numbered across slices from a count
of Child start tags, and each worker's count is checked against it: if anything about the
file makes slicing unsafe (a namespace, a non-UTF-8 encoding, a count that does not
agree), the file is read by one process instead, so the result is always the same.
"""

from __future__ import annotations

import mmap
import os
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from itertools import pairwise
from multiprocessing import get_context
from pathlib import Path

from headway.ingest.cin_xml import Part, read_children
from headway.ingest.load import FileLoad, ValueIssue
from headway.ingest.xml_safety import PROLOG_BYTES, RangeReader

PARALLEL_FROM_BYTES = 64 * 1024**2
_CHILD_START = re.compile(rb"<Child[\s>]")
_OPEN = b"<Message><Children>"
_CLOSE = b"</Children></Message>"


@dataclass
class Slice:
    start: int
    end: int
    first_child: int  # children before this slice
    children: int  # Child start tags inside it
    prefix: bytes
    suffix: bytes


@dataclass
class WorkerResult:
    part: Part
    records: dict[str, int]
    issues: list[ValueIssue]
    quarantine_rows: list[tuple[str, str, str, str]]
    spilled: list[tuple[str, Path]]
    kind_table: dict[str, str]


def _sliceable(head: bytes) -> bool:
    decl = head[: head.find(b"?>") + 2] if head.startswith(b"<?xml") else b""
    encoding = re.search(rb"encoding=[\"']([\w\-]+)", decl)
    utf8 = encoding is None or encoding.group(1).lower() in (b"utf-8", b"utf8")
    return utf8 and b"xmlns" not in head


def plan_slices(path: Path, workers: int) -> list[Slice] | None:
    size = path.stat().st_size
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        if not _sliceable(m[:PROLOG_BYTES]):
            return None
        cuts = [0]
        for i in range(1, workers):
            found = _CHILD_START.search(m, size * i // workers)
            if found is None or found.start() <= cuts[-1]:
                return None
            cuts.append(found.start())
        cuts.append(size)
        counts = [len(_CHILD_START.findall(m, a, b)) for a, b in pairwise(cuts)]
    slices, before = [], 0
    for i, (a, b) in enumerate(pairwise(cuts)):
        prefix = b"" if i == 0 else _OPEN
        suffix = b"" if i == workers - 1 else _CLOSE
        slices.append(Slice(a, b, before, counts[i], prefix, suffix))
        before += counts[i]
    return slices


def _work(path: Path, s: Slice, load_id: int, tmp: Path) -> WorkerResult:
    spill_dir = tmp / f"slice-{s.start}"
    spill_dir.mkdir()
    load = FileLoad(None, load_id, str(path), spill_dir=spill_dir, flush_rows=WORKER_FLUSH_ROWS)
    part = read_children(
        path, RangeReader(path, s.start, s.end, s.prefix, s.suffix), load, s.first_child
    )
    for w in load.writers.values():
        w.flush()
    return WorkerResult(
        part, dict(load.records), load.issues, load.quarantine_rows, load.spilled, load.kind_table
    )


def read_in_parallel(
    path: Path,
    load: FileLoad,
    on_bytes: Callable[[int], None] | None,
    min_bytes: int = PARALLEL_FROM_BYTES,
    workers: int = min(os.cpu_count() or 1, 8),
) -> list[Part] | None:
    """Read the file with one process per core, or return None to have it read in one.

    The file is cut into more slices than workers, so that the main process inserts each
    slice's rows while the workers parse the next ones.
    """
    if workers < 2 or path.stat().st_size < min_bytes:
        return None
    slices = plan_slices(path, workers * SLICES_PER_WORKER)
    if slices is None:
        return None
    # The workers have the cores; DuckDB threads of its own would only contend with them.
    load.db.execute("SET threads = 1")
    try:
        return _run(path, load, on_bytes, workers, slices)
    finally:
        load.db.execute("RESET threads")


def _run(
    path: Path,
    load: FileLoad,
    on_bytes: Callable[[int], None] | None,
    workers: int,
    slices: list[Slice],
) -> list[Part] | None:
    done: list[WorkerResult] = []
    with (
        tempfile.TemporaryDirectory(prefix="headway-cin-") as tmp,
        ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool,
    ):
        futures = {pool.submit(_work, path, s, load.load_id, Path(tmp)): s for s in slices}
        for future in as_completed(futures):
            result = future.result()  # a worker's HeadwayError is raised here
            if result.part.children != futures[future].children:
                # A "<Child" the count saw was not an element: read the file in one go.
                for f in futures:
                    f.cancel()
                _undo(load, [*done, result])
                return None
            _merge(load, result)
            done.append(result)
            if on_bytes:
                on_bytes(futures[future].end - futures[future].start)
    done.sort(key=lambda r: r.part.header is None)  # the slice with the header first
    return [r.part for r in done]


SLICES_PER_WORKER = 4
WORKER_FLUSH_ROWS = 25_000  # smaller batches: two workers and the main process share memory


def _merge(load: FileLoad, r: WorkerResult) -> None:
    load.records.update(r.records)
    load.issues += r.issues
    load.quarantine_rows += r.quarantine_rows
    load.kind_table.update(r.kind_table)
    by_table: dict[str, list[Path]] = {}
    for table_name, file in r.spilled:
        by_table.setdefault(table_name, []).append(file)
    for table_name, files in by_table.items():
        load.insert_parquet(table_name, files)


def _undo(load: FileLoad, merged: list[WorkerResult]) -> None:
    """Take back what merged slices inserted, and what they added to the load's counts."""
    for table_name in {t for r in merged for t, _ in r.spilled}:
        load.db.execute(f'DELETE FROM "{table_name}" WHERE hw_load_id = ?', [load.load_id])
    load.records.clear()
    load.issues.clear()
    load.quarantine_rows.clear()
    load.kind_table.clear()
