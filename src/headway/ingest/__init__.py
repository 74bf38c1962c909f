"""Ingest: statutory files in, the standard model out, all or nothing.

`ingest` recognises each file by content, loads every file of the call in one transaction,
replaces an earlier load of the same return and year, skips a file already loaded
byte for byte, reconciles every table, and keeps a copy of each loaded file in the
workspace (sources/) so rules can be re-run. Any failure leaves the workspace as it was.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from headway.errors import HeadwayError
from headway.ingest.cin_xml import read_cin_xml
from headway.ingest.dates import collection_year
from headway.ingest.detect import DEFAULT_MAX_BYTES, Detected, detect
from headway.ingest.load import FileLoad, TableCount
from headway.ingest.ssd_extract import read_ssd_extract
from headway.ingest.ssda903 import read_903_csv
from headway.model.schema import create_tables
from headway.model.schema import table as model_table
from headway.workspace import Workspace

__all__ = ["DEFAULT_MAX_BYTES", "FileResult", "IngestReport", "ingest"]

ByteProgress = Callable[[int], None]
# DuckDB keeps a transaction's new rows in memory up to this, then spills to disk: it
# keeps a national-size load within its memory budget.
INGEST_MEMORY = "400MB"
# Dates that say when a child was born, not when something happened in the year.
_BIRTH_COLUMNS = {"pers_dob", "pers_expected_dob", "pers_mother_child_dob", "hw_reported_dob"}


@dataclass
class FileResult:
    path: str
    format: str
    dataset: str
    status: str  # loaded, unchanged
    collection_year: int | None = None
    load_id: int | None = None
    replaced_load_ids: list[int] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)
    tables: dict[str, TableCount] = field(default_factory=dict)
    value_issues: int = 0
    blank_rows: int = 0
    detail: str = ""


@dataclass
class IngestReport:
    workspace: str
    files: list[FileResult]

    def table_totals(self) -> dict[str, TableCount]:
        out: dict[str, TableCount] = {}
        for f in self.files:
            for name, c in f.tables.items():
                t = out.setdefault(name, TableCount())
                t.read += c.read
                t.stored += c.stored
                t.quarantined += c.quarantined
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "files": [asdict(f) for f in self.files],
            "tables": {k: asdict(v) for k, v in self.table_totals().items()},
            "reconciled": all(
                c.read == c.stored + c.quarantined for c in self.table_totals().values()
            ),
        }


@dataclass
class _Pending:
    found: Detected
    result: FileResult
    load: FileLoad
    sha256: str
    size: int
    year: int | None = None


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _dataset(found: Detected) -> str:
    if found.format == "ssda903_csv":
        return f"ssda903:{found.kind}"
    if found.format == "ssd_extract":
        return f"ssd:{found.kind}"
    return found.format


def _read(p: _Pending, ws: Workspace, on_bytes: ByteProgress | None) -> None:
    f, load = p.found, p.load
    if f.format == "cin_census":
        header = read_cin_xml(f.path, load, on_bytes)
        if header.lea and ws.la_code.isdigit() and header.lea != ws.la_code:
            raise HeadwayError(
                f"{f.path.name} is the CIN census of LA {header.lea}, but this workspace is "
                f"for LA {ws.la_code}.",
                "Load each LA's returns into its own workspace.",
            )
        p.year = header.year
        p.result.detail = f"child sex element: {header.sex_element or 'none'}"
    elif f.format == "ssda903_csv":
        p.result.blank_rows = read_903_csv(f.path, f.kind, f.header, load)
        p.result.detail = f"SSDA903 {f.kind}"
    elif f.format == "ssd_extract" and f.table is not None:
        p.result.blank_rows = read_ssd_extract(f.path, f.table, f.header, load)
        p.result.detail = f"SSD extract {f.kind}"
    elif f.format == "annex_a":
        from headway.ingest.annex_a import read_annex_a

        p.result.detail = read_annex_a(f.path, load)
    elif f.format == "ssda903_xml":
        from headway.ingest.ssda903_xml import read_903_xml

        read_903_xml(f.path, load)
        p.result.detail = "SSDA903 XML"
    if on_bytes and f.format != "cin_census":
        on_bytes(p.size)
    load.finish()


def _latest_event_year(con: duckdb.DuckDBPyConnection, load: FileLoad) -> int | None:
    latest = None
    for name in load.counts:
        t = model_table(name)
        cols = [c.name for c in t.columns if c.type == "DATE" and c.name not in _BIRTH_COLUMNS]
        if not cols:
            continue
        expr = ", ".join(f'max("{c}")' for c in cols)
        row = con.execute(
            f'SELECT greatest({expr}) FROM "{name}" WHERE hw_load_id = ?', [load.load_id]
        ).fetchone()
        if row and row[0] is not None and (latest is None or row[0] > latest):
            latest = row[0]
    return collection_year(latest) if latest is not None else None


def _resolve_years(
    pending: list[_Pending], con: duckdb.DuckDBPyConnection, year: int | None
) -> None:
    """Years for returns that do not state one: --year, else the CIN census loaded with
    them, else the year their own latest event falls in, else the year of the other files
    of the same return in this call (a 903 Header table has no events of its own)."""
    cin_years = {p.year for p in pending if p.found.format == "cin_census" and p.year}
    for p in pending:
        if p.year is None:
            p.year = year or (min(cin_years) if len(cin_years) == 1 else None)
        if p.year is None:
            p.year = _latest_event_year(con, p.load)
    for p in pending:
        if p.year is None:
            siblings = {
                q.year for q in pending
                if q.year and q.found.source_return == p.found.source_return
            }  # fmt: skip
            p.year = siblings.pop() if len(siblings) == 1 else None
        if p.year is None:
            raise HeadwayError(
                f"Headway cannot tell which collection year {p.found.path.name} is for.",
                "Say it with --year (e.g. --year 2024 for 2023-24).",
            )
        p.result.collection_year = p.year


# The 903 XML is the whole return; the CSVs are one table each. Loading the XML replaces
# every earlier 903 load of that year; CSVs replace an earlier XML only when they bring at
# least the Header and Episodes tables with them, so no table silently disappears.
_903_CORE = {"ssda903:Header", "ssda903:Episodes"}


def _replace_earlier(con: duckdb.DuckDBPyConnection, p: _Pending, batch: set[str]) -> None:
    old = con.execute(
        "SELECT load_id, dataset, file_path FROM hw_loads WHERE collection_year = ? AND "
        "(dataset = ? OR (? = 'ssda903_xml' AND source_return = 'ssda903') "
        " OR (? LIKE 'ssda903:%' AND dataset = 'ssda903_xml'))",
        [p.year, p.result.dataset, p.result.dataset, p.result.dataset],
    ).fetchall()
    for load_id, dataset, file_path in old:
        if dataset == "ssda903_xml" and p.result.dataset != dataset and not batch >= _903_CORE:
            raise HeadwayError(
                f"The {p.year} SSDA903 return was loaded from XML ({Path(file_path).name}); "
                f"{p.found.path.name} alone would replace only part of it.",
                "Load the new XML, or all the 903 CSV tables for that year in one call.",
            )
        _delete_load(con, load_id)
        p.result.replaced_load_ids.append(load_id)


def _delete_load(con: duckdb.DuckDBPyConnection, load_id: int) -> None:
    tables = con.execute(
        "SELECT table_name FROM hw_load_counts WHERE load_id = ?", [load_id]
    ).fetchall()
    for (name,) in tables:
        con.execute(f'DELETE FROM "{name}" WHERE hw_load_id = ?', [load_id])
    for bookkeeping in ("hw_load_counts", "hw_quarantine", "hw_value_issues", "hw_loads"):
        con.execute(f"DELETE FROM {bookkeeping} WHERE load_id = ?", [load_id])


def _record(con: duckdb.DuckDBPyConnection, p: _Pending, ws: Workspace) -> None:
    con.execute(
        "INSERT INTO hw_loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            p.load.load_id,
            p.result.dataset,
            p.found.source_return,
            p.year,
            ws.la_code,
            str(p.found.path.resolve()),
            p.sha256,
            p.size,
            datetime.now(UTC),
            p.result.detail,
        ],
    )
    for name, c in p.load.counts.items():
        con.execute(
            "INSERT INTO hw_load_counts VALUES (?, ?, ?, ?, ?)",
            [p.load.load_id, name, c.read, c.stored, c.quarantined],
        )


def _check_batch(pending: list[_Pending]) -> None:
    seen: dict[tuple[str, int | None], Path] = {}
    for p in pending:
        key = (p.result.dataset, p.year)
        if key in seen:
            raise HeadwayError(
                f"{seen[key].name} and {p.found.path.name} are both {p.result.dataset} for "
                f"{p.year}: Headway cannot tell which one to keep.",
                "Load one of them.",
            )
        seen[key] = p.found.path


def ingest(
    ws: Workspace,
    paths: Sequence[Path],
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_bytes: ByteProgress | None = None,
) -> IngestReport:
    """Load files into the workspace, all or nothing."""
    found = [detect(p, max_bytes) for p in dict.fromkeys(paths)]
    sources = ws.path / "sources"
    copied: list[Path] = []
    results: list[FileResult] = []
    with ws.connect() as con:
        create_tables(con)  # a workspace made by an older Headway gets the newer columns
        con.execute(f"SET memory_limit = {INGEST_MEMORY!r}")  # spill to disk beyond this
        con.begin()
        try:
            pending: list[_Pending] = []
            for f in found:
                size = f.path.stat().st_size
                sha = _sha256(f.path)
                result = FileResult(str(f.path), f.format, _dataset(f), "loaded")
                results.append(result)
                known = con.execute(
                    "SELECT load_id, collection_year FROM hw_loads WHERE sha256 = ?", [sha]
                ).fetchone()
                if known:
                    result.status, result.load_id, result.collection_year = "unchanged", *known
                    if on_bytes:
                        on_bytes(size)
                    continue
                (load_id,) = con.execute("SELECT nextval('hw_load_seq')").fetchone() or (0,)
                p = _Pending(f, result, FileLoad(con, load_id, str(f.path)), sha, size)
                result.load_id = load_id
                _read(p, ws, on_bytes)
                result.records = dict(p.load.records)
                result.tables = p.load.counts
                result.value_issues = len(p.load.issues)
                pending.append(p)
            _resolve_years(pending, con, year)
            _check_batch(pending)
            for p in pending:
                _replace_earlier(con, p, {q.result.dataset for q in pending})
                _record(con, p, ws)
                target = sources / f"{p.sha256}{p.found.path.suffix.lower()}"
                if not target.exists():
                    sources.mkdir(exist_ok=True)
                    shutil.copyfile(p.found.path, target)
                    copied.append(target)
            con.commit()
        except BaseException:
            con.rollback()
            for c in copied:
                c.unlink(missing_ok=True)
            raise
    return IngestReport(str(ws.path), results)
