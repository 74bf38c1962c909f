"""What changed between two packs (usually two versions of one programme), field by field.

Entries are matched by id within each section (sources, components, expectations,
milestones, requirements, measures, outputs): added, removed, or changed. A change lists
each field that moved: a due date moved (and by how many days), items added or removed,
effort changed, level required -> recommended, basis inferred -> published. A measure's or
output's SQL counts as changed only if it differs after sqlglot normalises it, so
re-indenting, comments and keyword case are not reported. "No change" is a real answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlglot
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.packs.model import SECTIONS, Pack, Strict

PACK_FIELDS = ("id", "programme", "version", "title", "owner", "status", "summary")
SET_FIELDS = frozenset({"items", "carried_by"})
SQL_FIELD = "sql"
LONG_TEXT = 60  # longer text changes are described as "reworded"; JSON has both


@dataclass(frozen=True)
class FieldChange:
    """One field of one entry (or of the pack) that differs between a and b."""

    field: str
    before: Any
    after: Any
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    detail: tuple[str, ...] = ()  # a unified diff of normalised SQL

    def describe(self) -> str:
        """One line in words, e.g. 'due moved 2026-06-30 -> 2026-09-30 (92 days later)'."""
        if self.field in SET_FIELDS:
            parts = [f"added {', '.join(self.added)}"] if self.added else []
            parts += [f"removed {', '.join(self.removed)}"] if self.removed else []
            return f"{self.field}: {'; '.join(parts)}"
        if self.field == SQL_FIELD:
            return "sql: the query changed (formatting aside)"
        if isinstance(self.before, date) and isinstance(self.after, date):
            days = (self.after - self.before).days
            later = f"{abs(days)} days {'later' if days > 0 else 'earlier'}"
            return f"{self.field} moved {self.before} -> {self.after} ({later})"
        if max(len(_text(self.before)), len(_text(self.after))) > LONG_TEXT:
            return f"{self.field}: reworded"
        return f"{self.field}: {_text(self.before)} -> {_text(self.after)}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "before": _json(self.before),
            "after": _json(self.after),
            "description": self.describe(),
        }
        if self.field in SET_FIELDS:
            out |= {"added": list(self.added), "removed": list(self.removed)}
        if self.detail:
            out["sql_diff"] = list(self.detail)
        return out


@dataclass(frozen=True)
class Entry:
    """An entry added or removed: its id, title, and whether it is an inferred fact."""

    id: str
    title: str
    inferred: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "inferred": self.inferred}


@dataclass(frozen=True)
class EntryChange:
    id: str
    title: str
    inferred: bool  # in b
    changes: tuple[FieldChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "inferred": self.inferred,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass(frozen=True)
class SectionDiff:
    section: str
    added: tuple[Entry, ...] = ()
    removed: tuple[Entry, ...] = ()
    changed: tuple[EntryChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": [e.to_json() for e in self.added],
            "removed": [e.to_json() for e in self.removed],
            "changed": [c.to_json() for c in self.changed],
        }


@dataclass(frozen=True)
class PackDiff:
    """Everything that differs from pack a to pack b."""

    a: str  # "id (version)"
    b: str
    same_programme: bool
    pack: tuple[FieldChange, ...] = ()
    sections: tuple[SectionDiff, ...] = field(default_factory=tuple)

    @property
    def no_change(self) -> bool:
        return not self.pack and all(s.empty for s in self.sections)

    def section(self, name: str) -> SectionDiff:
        for s in self.sections:
            if s.section == name:
                return s
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "same_programme": self.same_programme,
            "no_change": self.no_change,
            "pack": [c.to_json() for c in self.pack],
            "sections": {s.section: s.to_json() for s in self.sections},
        }

    def render(self, console: Console) -> None:
        render(self, console)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


def normalise_sql(sql: str) -> str:
    """The SQL as sqlglot writes it back: comments, spacing and keyword case do not count."""
    try:
        parsed = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError:
        return " ".join(sql.split())
    return parsed.sql(dialect="duckdb", comments=False, normalize=True, pretty=True)


def _sql_change(before: str, after: str) -> FieldChange | None:
    a, b = normalise_sql(before), normalise_sql(after)
    if a == b:
        return None
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), "a", "b", lineterm="", n=1)
    return FieldChange(SQL_FIELD, a, b, detail=tuple(lines))


def _field_changes(a: Strict, b: Strict, fields: Sequence[str]) -> list[FieldChange]:
    changes = []
    for name in fields:
        before, after = getattr(a, name, None), getattr(b, name, None)
        if before == after:
            continue
        if name in SET_FIELDS:
            old, new = list(before or ()), list(after or ())
            added = tuple(x for x in new if x not in old)
            removed = tuple(x for x in old if x not in new)
            if added or removed:
                changes.append(FieldChange(name, tuple(old), tuple(new), added, removed))
            continue  # a reordering alone is not a change
        changes.append(FieldChange(name, before, after))
    return changes


def _entry_changes(a: Strict, b: Strict) -> tuple[FieldChange, ...]:
    fields = [name for name in type(b).model_fields if name != "id"]
    changes = _field_changes(a, b, fields)
    sql_before, sql_after = getattr(a, SQL_FIELD, None), getattr(b, SQL_FIELD, None)
    if isinstance(sql_before, str) and isinstance(sql_after, str):
        sql = _sql_change(sql_before, sql_after)
        if sql is not None:
            changes.append(sql)
    return tuple(changes)


def _entry(e: Strict) -> Entry:
    return Entry(str(getattr(e, "id", "")), str(getattr(e, "title", "")), _inferred(e))


def _inferred(e: Strict) -> bool:
    return getattr(e, "basis", None) == "inferred"


def _by_id(entries: Sequence[Strict]) -> Mapping[str, Strict]:
    return {str(getattr(e, "id", "")): e for e in entries}


def _section(name: str, a: Pack, b: Pack) -> SectionDiff:
    old, new = _by_id(a.entries(name)), _by_id(b.entries(name))
    changed = []
    for entry_id in new:
        if entry_id in old:
            changes = _entry_changes(old[entry_id], new[entry_id])
            if changes:
                e = _entry(new[entry_id])
                changed.append(EntryChange(e.id, e.title, e.inferred, changes))
    return SectionDiff(
        section=name,
        added=tuple(_entry(e) for i, e in new.items() if i not in old),
        removed=tuple(_entry(e) for i, e in old.items() if i not in new),
        changed=tuple(changed),
    )


def _label(p: Pack) -> str:
    return f"{p.id} ({p.version})"


def diff(a: Pack, b: Pack) -> PackDiff:
    """What changed from pack a to pack b."""
    pack = [c for c in _field_changes(a, b, PACK_FIELDS) if c.field not in ("id", "version")]
    return PackDiff(
        a=_label(a),
        b=_label(b),
        same_programme=a.programme == b.programme,
        pack=tuple(pack),
        sections=tuple(_section(name, a, b) for name in SECTIONS),
    )


def _mark(inferred: bool) -> str:
    return " [yellow](inferred)[/]" if inferred else ""


def _section_table(s: SectionDiff) -> Table:
    table = Table(title=s.section.capitalize(), title_justify="left", show_lines=False)
    table.add_column("", width=1)
    table.add_column("id", style="bold")
    table.add_column("what changed")
    for e in s.added:
        table.add_row("[green]+[/]", escape(e.id), f"added: {escape(e.title)}{_mark(e.inferred)}")
    for e in s.removed:
        table.add_row("[red]-[/]", escape(e.id), f"removed: {escape(e.title)}{_mark(e.inferred)}")
    for c in s.changed:
        words = "\n".join(escape(f.describe()) for f in c.changes)
        table.add_row("[cyan]~[/]", escape(c.id), f"{escape(c.title)}{_mark(c.inferred)}\n{words}")
    return table


def render(d: PackDiff, console: Console) -> None:
    """The diff for a person: one table per section that changed, SQL changes as diffs."""
    console.print(f"[bold]Pack diff[/]: {escape(d.a)} -> {escape(d.b)}")
    if not d.same_programme:
        console.print("[yellow]These packs are for different programmes.[/]")
    if d.no_change:
        console.print("No change: the two packs say the same thing.")
        return
    for change in d.pack:
        console.print(f"  pack {escape(change.describe())}")
    for s in d.sections:
        if s.empty:
            continue
        console.print(_section_table(s))
        for c in s.changed:
            for f in c.changes:
                if f.detail:
                    console.print(f"[bold]{escape(s.section)} {escape(c.id)}: SQL[/]")
                    console.print(escape("\n".join(f.detail)), highlight=False)
