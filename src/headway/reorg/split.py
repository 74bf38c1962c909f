"""Split a predecessor workspace into one workspace per successor (docs/reorg.md).

Each child is assigned by the plan's rule (assign.py); every row that carries a child goes
with that child; rows that follow another table (an EHCP request follows its SEND record)
go where their parent went; staff and team tables are copied to every successor. Children
that cannot be assigned go to an `unassigned` workspace of their own, so nothing is
dropped and every figure reconciles: predecessor = sum of successors + unassigned.

All or nothing: everything is built in a hidden folder beside the output and renamed into
place only when the whole split, its figures and its reconciliation are done.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.errors import HeadwayError
from headway.model.schema import tables
from headway.outputs.annex_a import default_as_at
from headway.reorg.assign import (
    UNASSIGNED,
    Assignment,
    assign,
    person_columns,
    summarise,
    write_assignments,
)
from headway.reorg.figures import FOLLOWS, REFERENCE, Figures, Reconciliation, figures, reconcile
from headway.reorg.plan import Plan
from headway.workspace import CONFIG_FILE, Workspace

Step = Callable[[str], None]


@dataclass
class Part:
    label: str  # the successor's name, or "unassigned"
    code: str
    folder: str  # inside the output folder
    children: int


@dataclass
class SplitReport:
    out: Path
    predecessor: str
    reference_date: date
    as_at: date
    parts: list[Part]
    summary: dict[str, Any]
    reconciliation: Reconciliation
    files: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "predecessor": self.predecessor,
            "reference_date": self.reference_date.isoformat(),
            "annex_a_as_at": self.as_at.isoformat(),
            "parts": [p.__dict__ for p in self.parts],
            "assignment": self.summary,
            "reconciles": not self.reconciliation.differs,
            "reconciliation": self.reconciliation.summary_json(),
            "files": self.files,
        }

    def render(self, out: Console) -> None:
        t = Table(
            "Successor",
            "Code",
            "Children",
            "Workspace",
            title=f"Split of {self.predecessor} at {self.reference_date}",
            title_justify="left",
        )
        for p in self.parts:
            t.add_row(escape(p.label), p.code, f"{p.children:,}", escape(p.folder))
        out.print(t)
        rules = ", ".join(
            f"{r.replace('_', ' ')} {n:,}" for r, n in self.summary["by_rule"].items()
        )
        out.print(
            f"Assigned {self.summary['assigned']:,} of {self.summary['children']:,} "
            f"children ({rules})."
        )
        self.reconciliation.render(out)
        out.print(f"Written to {escape(str(self.out))}: " + ", ".join(self.files))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "successor"


@contextmanager
def building(out: Path) -> Iterator[Path]:
    """A hidden folder beside `out` to build in, renamed to `out` when the block ends
    without error, and removed otherwise: a failed run leaves nothing behind."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise HeadwayError(
            f"{out} already exists.",
            "Choose a new folder for the output, or remove that one first.",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        if out.exists():
            out.rmdir()  # empty, checked above
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def attach(con: duckdb.DuckDBPyConnection, database: Path, alias: str) -> None:
    try:
        con.execute(f"ATTACH '{database}' AS {alias} (READ_ONLY)")
    except duckdb.Error as exc:
        raise HeadwayError(
            f"The workspace database {database} cannot be opened ({str(exc).splitlines()[0]}).",
            "Close any other program using that workspace and try again.",
        ) from None


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ? "
            "ORDER BY column_index",
            [schema, table],
        ).fetchall()
    ]


def shared_columns(con: duckdb.DuckDBPyConnection, source: str, table: str) -> str:
    mine = columns(con, _db(con), table)
    theirs = set(columns(con, source, table))
    return ", ".join(f'"{c}"' for c in mine if c in theirs)


def _db(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT current_database()").fetchone()
    return str(row[0]) if row else ""


def reset_load_sequence(con: duckdb.DuckDBPyConnection) -> None:
    """The next load a successor makes must not reuse a copied load's id."""
    (top,) = con.execute("SELECT coalesce(max(load_id), 0) FROM hw_loads").fetchone() or (0,)
    con.execute("DROP SEQUENCE IF EXISTS hw_load_seq")
    con.execute(f"CREATE SEQUENCE hw_load_seq START {int(top) + 1}")


def split(pred: Workspace, plan: Plan, out: Path, step: Step | None = None) -> SplitReport:
    """Split `pred` by `plan` into successor workspaces under `out` (see the module doc)."""
    say = step or (lambda _text: None)
    lookup = plan.lookup()
    reference = plan.reference_date
    say("Assigning children to successors")
    with pred.connect(read_only=True) as con:
        assignments = assign(con, lookup, reference)
        as_at = default_as_at(con)
        orphans = _orphan_rows(con)
    leftover = any(a.successor is None for a in assignments) or orphans > 0
    parts = _parts(plan, pred, leftover)
    with building(out) as tmp:
        write_assignments(tmp / "assignment.csv", assignments)
        write_assignments(tmp / "unassigned.csv", [a for a in assignments if a.successor is None])
        found: dict[str, Figures] = {}
        for part in parts:
            say(f"Building {part.label}")
            mine = [a for a in assignments if (a.successor or UNASSIGNED) == part.code]
            part.children = len(mine)
            code = pred.la_code if part.code == UNASSIGNED else part.code
            ws = Workspace.create(tmp / part.folder, code, _ws_name(part, pred))
            _fill(ws, pred.database, mine, part.code == UNASSIGNED)
            write_assignments(ws.outputs / "reorg_assignment.csv", mine)
            say(f"Recomputing measures and Annex A for {part.label}")
            found[part.label] = figures(ws, as_at, ws.outputs / "annex_a.xlsx")
        say(f"Recomputing measures and Annex A for {pred.la_name}")
        whole = figures(pred, as_at, tmp / "predecessor_annex_a.xlsx")
        label = f"{pred.la_name} ({pred.la_code})"
        rec = reconcile("split", label, whole, found, leftover=UNASSIGNED if leftover else None)
        rec.write_csv(tmp / "reconciliation.csv")
        rec.write_json(tmp / "reconciliation.json")
        summary = summarise(assignments)
        report = SplitReport(
            out,
            label,
            reference,
            as_at,
            parts,
            summary,
            rec,
            {
                "assignment": "assignment.csv",
                "unassigned": "unassigned.csv",
                "reconciliation": "reconciliation.csv",
                "reconciliation_json": "reconciliation.json",
                "predecessor_annex_a": "predecessor_annex_a.xlsx",
                "report": "split_report.json",
                "plan": "plan.json",
            },
        )
        (tmp / "plan.json").write_text(json.dumps(plan.data, indent=2) + "\n", "utf-8")
        (tmp / "split_report.json").write_text(
            json.dumps(report.to_json(), indent=2, default=str) + "\n", "utf-8"
        )
    return report


def _ws_name(part: Part, pred: Workspace) -> str:
    if part.code == UNASSIGNED:
        return f"{pred.la_name}: unassigned children"
    return part.label


def _parts(plan: Plan, pred: Workspace, leftover: bool) -> list[Part]:
    parts, used = [], set()
    for s in plan.successors:
        folder = slug(s["name"])
        if folder in used or folder == UNASSIGNED:
            folder = f"{folder}-{s['code'].lower()}"
        used.add(folder)
        parts.append(Part(s["name"], s["code"], folder, 0))
    if leftover:
        parts.append(Part(UNASSIGNED, UNASSIGNED, UNASSIGNED, 0))
    return parts


def _orphan_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Rows no child carries: a null person id, or a parent row that is not there."""
    n = 0
    for name, pid in person_columns().items():
        (k,) = con.execute(f'SELECT count(*) FROM "{name}" WHERE "{pid}" IS NULL').fetchone() or (
            0,
        )
        n += int(k)
    for name, (col, parent, parent_col) in FOLLOWS.items():
        (k,) = con.execute(
            f'SELECT count(*) FROM "{name}" WHERE "{col}" IS NULL OR "{col}" NOT IN '
            f'(SELECT "{parent_col}" FROM "{parent}" WHERE "{parent_col}" IS NOT NULL)'
        ).fetchone() or (0,)
        n += int(k)
    return n


def _fill(ws: Workspace, source: Path, mine: list[Assignment], leftover: bool) -> None:
    """Copy the rows of the children in `mine` (and, for the unassigned part, the rows no
    child carries) from the predecessor's database into the new workspace."""
    with ws.connect() as con:
        attach(con, source, "pred")
        con.register("mine_arrow", pa.table({"p": [a.person_id for a in mine]}))
        con.execute("CREATE TEMP TABLE mine AS SELECT DISTINCT p FROM mine_arrow")
        con.begin()
        for name, pid in person_columns().items():
            cols = shared_columns(con, "pred", name)
            extra = f' OR x."{pid}" IS NULL' if leftover else ""
            con.execute(
                f'INSERT INTO main."{name}" ({cols}) SELECT {cols} FROM pred."{name}" x '
                f'WHERE CAST(x."{pid}" AS VARCHAR) IN (SELECT p FROM mine){extra}'
            )
        for name, (col, parent, parent_col) in FOLLOWS.items():
            cols = shared_columns(con, "pred", name)
            extra = (
                (
                    f' OR x."{col}" IS NULL OR x."{col}" NOT IN (SELECT "{parent_col}" FROM '
                    f'pred."{parent}" WHERE "{parent_col}" IS NOT NULL)'
                )
                if leftover
                else ""
            )
            con.execute(
                f'INSERT INTO main."{name}" ({cols}) SELECT {cols} FROM pred."{name}" x '
                f'WHERE x."{col}" IN (SELECT "{parent_col}" FROM main."{parent}"){extra}'
            )
        for name in REFERENCE:
            cols = shared_columns(con, "pred", name)
            con.execute(f'INSERT INTO main."{name}" ({cols}) SELECT {cols} FROM pred."{name}"')
        cols = shared_columns(con, "pred", "hw_loads")
        con.execute(f"INSERT INTO main.hw_loads ({cols}) SELECT {cols} FROM pred.hw_loads")
        _load_counts(con)
        _value_issues(con)
        con.commit()
        reset_load_sequence(con)
        con.execute("DETACH pred")
    assert (ws.path / CONFIG_FILE).is_file()


def _load_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Each load's rows in this part, table by table (so a later load can replace it)."""
    for (name,) in con.execute(
        "SELECT DISTINCT table_name FROM pred.hw_load_counts ORDER BY 1"
    ).fetchall():
        if name not in tables():
            continue
        con.execute(
            f"INSERT INTO main.hw_load_counts SELECT c.load_id, c.table_name, "
            f"coalesce(n, 0), coalesce(n, 0), 0 FROM pred.hw_load_counts c LEFT JOIN "
            f'(SELECT hw_load_id, count(*) AS n FROM main."{name}" GROUP BY ALL) t '
            f"ON t.hw_load_id = c.load_id WHERE c.table_name = ?",
            [name],
        )


def _value_issues(con: duckdb.DuckDBPyConnection) -> None:
    """The value issues of the rows this part holds (matched by load and source reference)."""
    for name in [*person_columns(), *FOLLOWS]:
        cols = shared_columns(con, "pred", "hw_value_issues")
        con.execute(
            f"INSERT INTO main.hw_value_issues ({cols}) SELECT {cols} FROM pred.hw_value_issues v "
            f'WHERE v.table_name = ? AND EXISTS (SELECT 1 FROM main."{name}" t '
            f"WHERE t.hw_load_id = v.load_id AND t.hw_source_ref = v.source_ref)",
            [name],
        )
