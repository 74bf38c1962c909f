"""The catalogue for people and programs: list the standards, show one, show an item.

`list_standards()`, `show(standard)`, `show(standard, version)` and
`show(standard, item=...)` each return a result with `to_json()` (plain dicts, for --json)
and `render(console)` (Rich, for the terminal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.standards.catalogue import Catalogue, load
from headway.standards.spec import CONTAINERS, SPAN_FIELDS, Addition, Entry, Facts, Standard


def _facts_json(facts: Facts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SPAN_FIELDS:
        value = getattr(facts, name)
        if value is None or value == ():
            continue
        if name == "codes":
            out[name] = [c.to_json() for c in value]
        else:
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def _range(entry: Entry) -> str:
    return entry.first if entry.first == entry.last else f"{entry.first} to {entry.last}"


# --- list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardsList:
    standards: tuple[Standard, ...]

    def to_json(self) -> list[dict[str, Any]]:
        out = []
        for std in self.standards:
            latest = std.version_names[-1]
            present = [e for e in std.entries if std.facts(e, latest) is not None]
            out.append(
                {
                    "id": std.id,
                    "title": std.title,
                    "description": std.description,
                    "versions": list(std.version_names),
                    "reference_versions": [
                        v.version for v in std.versions if v.basis == "reference"
                    ],
                    "derived_versions": [v.version for v in std.versions if v.basis == "derived"],
                    "items_in_latest": sum(e.kind == "item" for e in present),
                    "containers_in_latest": sum(e.kind in CONTAINERS for e in present),
                    "items_ever": sum(e.kind == "item" for e in std.entries),
                }
            )
        return out

    def render(self, console: Console) -> None:
        grid = Table("Standard", "Title", "Versions", "Derived", "Items (latest)", "Tables/blocks")
        for row in self.to_json():
            versions = row["versions"]
            span = versions[0] if len(versions) == 1 else f"{versions[0]}-{versions[-1]}"
            grid.add_row(
                row["id"],
                escape(row["title"]),
                span,
                ", ".join(row["derived_versions"]) or "-",
                str(row["items_in_latest"]),
                str(row["containers_in_latest"]),
            )
        console.print(grid)


def list_standards(catalogue: Catalogue | None = None) -> StandardsList:
    """Every standard in the catalogue."""
    cat = catalogue or load()
    return StandardsList(tuple(cat.standards.values()))


# --- one standard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardView:
    standard: Standard
    version: str
    entries: tuple[tuple[Entry, Facts], ...]  # those the version carries, in order

    def to_json(self) -> dict[str, Any]:
        meta = self.standard.versions[self.standard.position(self.version)]
        return {
            "standard": self.standard.id,
            "title": self.standard.title,
            "version": self.version,
            "basis": meta.basis,
            "source": meta.source,
            "versions": list(self.standard.version_names),
            "entries": [
                {"id": e.id, "kind": e.kind, "name": e.name, "item_code": e.item_code,
                 "first": e.first, "last": e.last} | _facts_json(f)
                for e, f in self.entries
            ],
        }  # fmt: skip

    def render(self, console: Console) -> None:
        meta = self.standard.versions[self.standard.position(self.version)]
        console.print(
            f"[bold]{escape(self.standard.title)} {self.version}[/] ({meta.basis}: "
            f"{escape(meta.source)})"
        )
        grid = Table("Id", "Name", "Type", "Required", "Codes", "In", "Versions")
        grid.columns[0].overflow = "fold"  # ids are what people type: never cut them
        for entry, facts in self.entries:
            name = f"[bold]{escape(entry.name)}[/]" if entry.kind in CONTAINERS else entry.name
            grid.add_row(
                escape(entry.id),
                name if entry.kind in CONTAINERS else escape(name),
                escape(facts.type or entry.kind),
                "" if facts.required is None else ("yes" if facts.required else "no"),
                str(len(facts.codes)) if facts.codes else "",
                escape(", ".join(w.split(":", 1)[1] for w in facts.within)),
                _range(entry),
            )
        console.print(grid)


# --- one entry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryView:
    standard: Standard
    entry: Entry
    version: str | None
    columns: tuple[str, ...]
    tables: tuple[str, ...]
    collections: tuple[str, ...]
    related: tuple[str, ...]
    additions: tuple[Addition, ...]

    def _spans(self) -> list[tuple[str, str, Facts]]:
        if self.version is not None:
            facts = self.standard.facts(self.entry, self.version)
            return [] if facts is None else [(self.version, self.version, facts)]
        return [(s.first, s.last, s.facts) for s in self.entry.spans]

    def to_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "id": e.id,
            "standard": e.standard,
            "kind": e.kind,
            "name": e.name,
            "item_code": e.item_code,
            "aliases": list(e.aliases),
            "first": e.first,
            "last": e.last,
            "versions": [
                v for v in self.standard.version_names if self.standard.facts(e, v) is not None
            ],
            "columns": list(self.columns),
            "tables": list(self.tables),
            "collections": list(self.collections),
            "related": list(self.related),
            "additions": [
                {"version": a.version, "basis": a.basis, "note": a.note} for a in self.additions
            ],
            "version": self.version,
            "spans": [{"from": a, "to": b} | _facts_json(f) for a, b, f in self._spans()],
        }

    def render(self, console: Console) -> None:
        e = self.entry
        console.print(f"[bold]{escape(e.id)}[/] {escape(e.name)} ({e.kind}, {_range(e)})")
        head = Table.grid(padding=(0, 2))
        for label, value in (
            ("Item code", e.item_code or ""),
            ("Also called", ", ".join(e.aliases)),
            ("Lands in", ", ".join(self.columns or self.tables) or "no standard-model column"),
            ("Collections", ", ".join(self.collections)),
            ("Related", ", ".join(self.related)),
        ):
            if value:
                head.add_row(label, escape(value))
        console.print(head)
        for a in self.additions:
            console.print(f"[yellow]Headway addition, {a.version} ({a.basis}):[/] {escape(a.note)}")
        for first, last, facts in self._spans():
            when = first if first == last else f"{first} to {last}"
            console.print(f"\n[bold]{when}[/]")
            grid = Table.grid(padding=(0, 2))
            for name in ("label", "definition", "type", "format", "required", "cardinality",
                         "within", "paths", "returns", "note"):  # fmt: skip
                value = getattr(facts, name)
                if value is None or value == ():
                    continue
                if isinstance(value, bool):
                    text = "yes" if value else "no"
                else:
                    text = ", ".join(value) if isinstance(value, tuple) else str(value)
                grid.add_row(name, escape(text))
            console.print(grid)
            if facts.codes:
                codes = Table("Code", "Label")
                for c in facts.codes:
                    codes.add_row(escape(c.code), escape(c.label or ""))
                console.print(codes)


def show(
    standard: str,
    version: str | int | None = None,
    item: str | None = None,
    catalogue: Catalogue | None = None,
) -> StandardView | EntryView:
    """A standard's entries in one version (the latest by default), or one item or block:
    its facts in each span of versions (or in `version`), where it lands in the standard
    model, and which collections carry it. Raises HeadwayError for unknown names."""
    cat = catalogue or load()
    std = cat.standard(standard)
    if item is not None:
        entry = cat.entry(std, item)
        return EntryView(
            std,
            entry,
            None if version is None else cat.version(std, version),
            cat.columns(entry),
            cat.tables(entry),
            cat.collections(entry) if entry.kind == "item" else (),
            cat.related(entry),
            cat.additions(entry),
        )
    chosen = cat.version(std, version)
    found = []
    for entry in std.entries:
        facts = std.facts(entry, chosen)
        if facts is not None:
            found.append((entry, facts))
    return StandardView(std, chosen, tuple(found))
