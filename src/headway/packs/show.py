"""`headway pack list`, `show` and `validate`: the packs there are, one pack in full, and
what is wrong with one.

Each answer is a small object with `to_json()` (for --json) and `render(console)` (Rich).
Inferred facts are marked "(inferred)" wherever they appear, and the JSON carries
`basis` on every fact plus an `inferred` list, so no view can lose the marker.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.errors import HeadwayError
from headway.packs.errors import PackError, PackInvalid
from headway.packs.loader import discover, library_ids, load
from headway.packs.model import Pack
from headway.packs.validate import validate

INFERRED = "(inferred)"
LIBRARY = "library"


@dataclass(frozen=True)
class PackRow:
    """One pack in a listing; `error` is set (and the counts are 0) when it does not load."""

    id: str
    programme: str
    version: str
    title: str
    owner: str
    status: str
    origin: str
    requirements: int
    measures: int
    outputs: int
    inferred: int
    error: str | None = None  # the first problem, when the pack does not load
    problems: int = 0


def _row(pack: Pack, origin: str) -> PackRow:
    return PackRow(
        id=pack.id,
        programme=pack.programme,
        version=pack.version,
        title=pack.title,
        owner=pack.owner,
        status=pack.status,
        origin=origin,
        requirements=len(pack.requirements),
        measures=len(pack.measures),
        outputs=len(pack.outputs),
        inferred=len(pack.inferred_facts()),
    )


def _broken(name: str, origin: str, error: HeadwayError) -> PackRow:
    problems = len(error.errors) if isinstance(error, PackInvalid) else 1
    message = str(error.errors[0]) if isinstance(error, PackInvalid) else error.message
    return PackRow(name, "", "", "", "", "", origin, 0, 0, 0, 0, message, problems)


def _rows(refs: Iterable[tuple[str | Path, str, str]]) -> list[PackRow]:
    rows = []
    for ref, name, origin in refs:
        try:
            rows.append(_row(load(ref), origin))
        except HeadwayError as e:
            rows.append(_broken(name, origin, e))
    return rows


@dataclass(frozen=True)
class PackList:
    rows: tuple[PackRow, ...]

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(row) for row in self.rows]

    def render(self, console: Console) -> None:
        if not self.rows:
            console.print("No packs found.")
            return
        table = Table(title="Programme packs", title_justify="left")
        for name in ("id", "version", "title", "status", "owner"):
            table.add_column(name)
        for name in ("reqs", "measures", "outputs", "inferred"):
            table.add_column(name, justify="right")
        table.add_column("from")
        for r in self.rows:
            if r.error:
                ref = r.id if r.origin == LIBRARY else r.origin
                words = f"{r.problems} problem(s): run `headway pack validate {ref}`"
                table.add_row(escape(r.id), "", f"[red]{escape(words)}[/]", "[red]invalid[/]",
                              "", "", "", "", "", escape(r.origin))  # fmt: skip
                continue
            counts = (r.requirements, r.measures, r.outputs)
            table.add_row(escape(r.id), escape(r.version), escape(r.title), r.status,
                          escape(r.owner), *map(str, counts),
                          f"[yellow]{r.inferred}[/]" if r.inferred else "0",
                          escape(r.origin))  # fmt: skip
        console.print(table)


def list_packs(extra_dirs: Sequence[Path] = ()) -> PackList:
    """The shipped packs, then the packs found in `extra_dirs` (pack folders, zips, or
    folders holding them). A pack that does not load is listed with its error."""
    shipped = [(pack_id, pack_id, LIBRARY) for pack_id in library_ids()]
    found = [(path, path.name, str(path)) for path in discover(extra_dirs)]
    return PackList(tuple(_rows([*shipped, *found])))


def _fact(title: str, inferred: bool) -> str:
    return f"{escape(title)} [yellow]{INFERRED}[/]" if inferred else escape(title)


def _table(title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    return table


def _text(value: object) -> str:
    return "" if value is None else escape(str(value))


@dataclass(frozen=True)
class PackView:
    """One pack in full, for `headway pack show`."""

    pack: Pack

    def to_json(self) -> dict[str, Any]:
        body = self.pack.model_dump(mode="json")
        for entry, measure in zip(body["measures"], self.pack.measures, strict=True):
            entry["sql"] = measure.sql
        for entry, output in zip(body["outputs"], self.pack.outputs, strict=True):
            entry["sql"] = output.sql
        inferred = [
            {"section": section, "id": fact_id, "title": title}
            for section, fact_id, title in self.pack.inferred_facts()
        ]
        return {"origin": self.pack.origin, **body, "inferred": inferred}

    def to_text(self, width: int = 120) -> str:
        """The rendered view as plain text."""
        console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
        self.render(console)
        return console.export_text()

    def render(self, console: Console) -> None:
        p = self.pack
        console.print(f"[bold]{escape(p.title)}[/]")
        console.print(
            f"{escape(p.id)} · programme {escape(p.programme)} · version {escape(p.version)}"
            f" · {escape(p.owner)} · {p.status} · from {escape(p.origin or '?')}"
        )
        console.print(escape(p.summary))
        if p.inferred_facts():
            console.print(
                f"[yellow]{INFERRED}[/] marks what Headway infers; it is not read from a "
                "published source."
            )
        for table in self._tables():
            if table.row_count:
                console.print(table)

    def _tables(self) -> list[Table]:
        return [
            self._sources(),
            self._components(),
            self._expectations(),
            self._milestones(),
            self._requirements(),
            self._measures(),
            self._outputs(),
        ]

    def _sources(self) -> Table:
        table = _table("Sources", ("id", "title", "published", "url"))
        for s in self.pack.sources:
            table.add_row(_text(s.id), _text(s.title), _text(s.published), _text(s.url))
        return table

    def _components(self) -> Table:
        table = _table("Components", ("id", "title", "description"))
        for c in self.pack.components:
            table.add_row(_text(c.id), _text(c.title), _text(c.description))
        return table

    def _expectations(self) -> Table:
        table = _table("Expectations", ("id", "title", "level", "component", "source"))
        for e in self.pack.expectations:
            table.add_row(_text(e.id), _fact(e.title, e.inferred), e.level,
                          _text(e.component), _text(e.source))  # fmt: skip
        return table

    def _milestones(self) -> Table:
        table = _table("Milestones", ("date", "id", "title", "source"))
        for m in sorted(self.pack.milestones, key=lambda m: m.date):
            table.add_row(_text(m.date), _text(m.id), _fact(m.title, m.inferred), _text(m.source))
        return table

    def _requirements(self) -> Table:
        columns = ("id", "title", "answered by", "frequency", "due", "effort h", "carried by",
                   "items")  # fmt: skip
        table = _table("Requirements (data asks)", columns)
        for r in self.pack.requirements:
            answer = f"measure {r.measure}" if r.measure else f"output {r.output}"
            table.add_row(_text(r.id), _fact(r.title, r.inferred), _text(answer),
                          r.frequency, _text(r.due), f"{r.effort_hours:g}",
                          _text(", ".join(r.carried_by)), _text("\n".join(r.items)))  # fmt: skip
        return table

    def _measures(self) -> Table:
        table = _table("Measures", ("id", "title", "unit", "period", "definition", "file"))
        for m in self.pack.measures:
            table.add_row(_text(m.id), _fact(m.title, m.inferred), m.unit, m.period,
                          _text(m.definition), _text(m.file))  # fmt: skip
        return table

    def _outputs(self) -> Table:
        table = _table("Outputs", ("id", "title", "file"))
        for o in self.pack.outputs:
            table.add_row(_text(o.id), _fact(o.title, o.inferred), _text(o.file))
        return table


def show(pack: Pack | str | Path) -> PackView:
    """One pack in full: a loaded pack, or a shipped id, folder or zip to load."""
    return PackView(pack if isinstance(pack, Pack) else load(pack))


@dataclass(frozen=True)
class ValidationView:
    """`headway pack validate`: every problem with its file and line; `ok` sets the exit code."""

    ref: str
    errors: tuple[PackError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {"pack": self.ref, "valid": self.ok, "errors": [e.to_json() for e in self.errors]}

    def render(self, console: Console) -> None:
        if self.ok:
            console.print(f"[green]{escape(self.ref)} is a valid pack.[/]")
            return
        count = len(self.errors)
        console.print(f"[red]{escape(self.ref)}: {count} problem{'s' * (count != 1)}[/]")
        for error in self.errors:
            console.print(escape(str(error)), highlight=False, soft_wrap=True)


def validation(ref: str | Path) -> ValidationView:
    """Validate the pack at `ref` (shipped id, folder, pack.yaml or zip) for the CLI."""
    return ValidationView(str(ref), tuple(validate(ref)))
