"""Standard diffs: what changed in a standard between two versions.

`compare(standard, v1, v2)` lists the blocks, tables and lists, the items and the codes that
were added, removed or changed (type, format, definition, label, whether required,
cardinality, where the item sits, and code labels), or says plainly that the two versions are
identical. Each change carries its basis: "reference" when the reference files show it,
or the basis and note of the Headway addition that makes it (additions.yaml).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.standards.catalogue import Catalogue, load
from headway.standards.spec import COMPARED, CONTAINERS, Addition, Code, Entry, Facts, Standard

REFERENCE = "reference"


@dataclass(frozen=True)
class FieldChange:
    field: str  # a Facts field: type, required, cardinality ...
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "before": _plain(self.before), "after": _plain(self.after)}


@dataclass(frozen=True)
class Relabel:
    code: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class EntryChange:
    """One entry added, removed or changed between the two versions."""

    id: str
    kind: str  # block, table, list, item
    name: str
    change: str  # added, removed, changed
    within: tuple[str, ...]  # where it sits (in the version that has it; v2 if both)
    fields: tuple[FieldChange, ...] = ()
    codes_added: tuple[Code, ...] = ()
    codes_removed: tuple[Code, ...] = ()
    codes_relabelled: tuple[Relabel, ...] = ()
    basis: str = REFERENCE
    note: str | None = None

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINERS

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "change": self.change,
            "within": list(self.within),
            "basis": self.basis,
        }
        if self.note:
            out["note"] = self.note
        if self.fields:
            out["fields"] = [f.to_json() for f in self.fields]
        if self.codes_added:
            out["codes_added"] = [c.to_json() for c in self.codes_added]
        if self.codes_removed:
            out["codes_removed"] = [c.to_json() for c in self.codes_removed]
        if self.codes_relabelled:
            out["codes_relabelled"] = [r.__dict__ for r in self.codes_relabelled]
        return out


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class StandardDiff:
    standard: str
    title: str
    v1: str
    v2: str
    changes: tuple[EntryChange, ...]

    @property
    def identical(self) -> bool:
        return not self.changes

    def _select(self, change: str, containers: bool) -> tuple[EntryChange, ...]:
        return tuple(c for c in self.changes if c.change == change and c.is_container == containers)

    @property
    def containers_added(self) -> tuple[EntryChange, ...]:
        return self._select("added", True)

    @property
    def containers_removed(self) -> tuple[EntryChange, ...]:
        return self._select("removed", True)

    @property
    def items_added(self) -> tuple[EntryChange, ...]:
        return self._select("added", False)

    @property
    def items_removed(self) -> tuple[EntryChange, ...]:
        return self._select("removed", False)

    @property
    def items_changed(self) -> tuple[EntryChange, ...]:
        return tuple(c for c in self.changes if c.change == "changed")

    def codes(self, which: str) -> tuple[tuple[str, Code], ...]:
        """(item id, code) for every code `which` (added or removed) in changed items."""
        attr = "codes_added" if which == "added" else "codes_removed"
        return tuple((c.id, code) for c in self.items_changed for code in getattr(c, attr))

    def summary(self) -> str:
        if self.identical:
            return f"No change between {self.v1} and {self.v2}."
        parts = []
        for label, found in (
            ("added", self.containers_added),
            ("removed", self.containers_removed),
        ):
            if found:
                names = ", ".join(c.name for c in found)
                parts.append(f"{_count(len(found), found[0].kind)} {label} ({names})")
        for label, found in (("added", self.items_added), ("removed", self.items_removed)):
            if found:
                parts.append(f"{_count(len(found), 'item')} {label}")
        changed = [c for c in self.items_changed if not c.is_container]
        if changed:
            parts.append(f"{_count(len(changed), 'item')} changed")
        added, removed = len(self.codes("added")), len(self.codes("removed"))
        if added or removed:
            parts.append(f"codes: {added} added, {removed} removed")
        return f"{self.title} {self.v1} to {self.v2}: " + "; ".join(parts) + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "from": self.v1,
            "to": self.v2,
            "identical": self.identical,
            "summary": self.summary(),
            "added": [c.to_json() for c in self.changes if c.change == "added"],
            "removed": [c.to_json() for c in self.changes if c.change == "removed"],
            "changed": [c.to_json() for c in self.items_changed],
            "codes": {
                "added": [{"item": i, **c.to_json()} for i, c in self.codes("added")],
                "removed": [{"item": i, **c.to_json()} for i, c in self.codes("removed")],
            },
        }

    def render(self, console: Console) -> None:
        console.print(f"[bold]{escape(self.summary())}[/]")
        if self.identical:
            return
        for title, rows in (
            ("Added", [c for c in self.changes if c.change == "added"]),
            ("Removed", [c for c in self.changes if c.change == "removed"]),
        ):
            if rows:
                console.print(_entries_table(title, rows))
        if self.items_changed:
            console.print(_changed_table(self.items_changed))
        notes = dict.fromkeys(c.note for c in self.changes if c.note)
        for note in notes:
            console.print(f"[dim]Note: {escape(str(note))}[/]")


def _count(n: int, kind: str) -> str:
    return f"{n} {kind}" if n == 1 else f"{n} {kind}s" if kind != "list" else f"{n} lists"


def _entries_table(title: str, rows: list[EntryChange]) -> Table:
    grid = Table("Id", "Kind", "Name", "In", "Basis", title=title, title_justify="left")
    for c in rows:
        within = ", ".join(w.split(":", 1)[1] for w in c.within)
        grid.add_row(escape(c.id), c.kind, escape(c.name), escape(within), c.basis)
    return grid


def describe(change: EntryChange, width: int | None = None) -> list[str]:
    """The changes to one entry in words, one line each; code labels cut to `width`."""
    lines = [
        f"{f.field}: {_show(f.field, f.before)} -> {_show(f.field, f.after)}" for f in change.fields
    ]
    if change.codes_added:
        lines.append("codes added: " + ", ".join(_code(c, width) for c in change.codes_added))
    if change.codes_removed:
        removed = ", ".join(_code(c, width) for c in change.codes_removed)
        lines.append("codes removed: " + removed)
    for r in change.codes_relabelled:
        lines.append(f"code {r.code} relabelled: {r.before!r} -> {r.after!r}")
    return lines


def _changed_table(rows: tuple[EntryChange, ...]) -> Table:
    grid = Table("Id", "Name", "What changed", "Basis", title="Changed", title_justify="left")
    for c in rows:
        grid.add_row(escape(c.id), escape(c.name), escape("\n".join(describe(c, 50))), c.basis)
    return grid


def _code(code: Code, width: int | None = None) -> str:
    if not code.label:
        return code.code
    label = code.label
    if width is not None and len(label) > width:
        label = label[: width - 1] + "…"
    return f"{code.code} ({label})"


def _show(field: str, value: Any) -> str:
    if field == "required" and isinstance(value, bool):
        return "required" if value else "optional"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "(none)"
    return "(none)" if value is None else str(value)


# --- comparing ------------------------------------------------------------------------------


def _code_changes(
    before: Facts, after: Facts
) -> tuple[tuple[Code, ...], tuple[Code, ...], tuple[Relabel, ...]]:
    old = {c.code: c for c in before.codes or ()}
    new = {c.code: c for c in after.codes or ()}
    added = tuple(c for k, c in new.items() if k not in old)
    removed = tuple(c for k, c in old.items() if k not in new)
    relabelled = tuple(
        Relabel(k, old[k].label, c.label)
        for k, c in new.items()
        if k in old and old[k].label != c.label
    )
    return added, removed, relabelled


def _field_changes(before: Facts, after: Facts) -> tuple[FieldChange, ...]:
    out = [
        FieldChange(name, getattr(before, name), getattr(after, name))
        for name in COMPARED
        if getattr(before, name) != getattr(after, name)
    ]
    if (before.codes is None) != (after.codes is None):
        out.append(FieldChange("coded", before.codes is not None, after.codes is not None))
    return tuple(out)


def _compare(entry: Entry, before: Facts | None, after: Facts | None) -> EntryChange | None:
    if before is None and after is None:
        return None
    if before is None or after is None:
        facts = after or before
        assert facts is not None
        change = "added" if before is None else "removed"
        return EntryChange(entry.id, entry.kind, entry.name, change, facts.within)
    if before == after:
        return None
    added, removed, relabelled = _code_changes(before, after)
    fields_ = _field_changes(before, after)
    if not (fields_ or added or removed or relabelled):
        return None  # a note changed, nothing the spec says
    return EntryChange(
        entry.id, entry.kind, entry.name, "changed", after.within,
        fields_, added, removed, relabelled,
    )  # fmt: skip


def _covers(addition: Addition, change: EntryChange) -> bool:
    targets = set(addition.targets)
    if change.id in targets or targets & set(change.within):
        return True
    codes = {c.code for c in (*change.codes_added, *change.codes_removed)}
    codes |= {r.code for r in change.codes_relabelled}
    return any(f"{change.id}#{code}" in targets for code in codes)


def _with_basis(std: Standard, change: EntryChange, low: int, high: int) -> EntryChange:
    """The basis of a change between versions at positions low < high."""
    found = [
        a for a in std.additions if low < std.position(a.version) <= high and _covers(a, change)
    ]
    if not found:
        return change
    basis = "inferred" if any(a.basis == "inferred" for a in found) else found[0].basis
    note = " ".join(a.note for a in found)
    return replace(change, basis=basis, note=note)


def changes(std: Standard, v1: str, v2: str) -> Iterator[EntryChange]:
    """Every entry change from v1 to v2, containers first, in catalogue order."""
    low, high = sorted((std.position(v1), std.position(v2)))
    found = []
    for entry in std.entries:
        change = _compare(entry, std.facts(entry, v1), std.facts(entry, v2))
        if change is not None:
            found.append(_with_basis(std, change, low, high))
    found.sort(key=lambda c: not c.is_container)  # stable: catalogue order within each
    yield from found


def compare(std: Standard, v1: str, v2: str) -> StandardDiff:
    """The diff of `std` from version v1 to version v2 (either may be the later)."""
    return StandardDiff(std.id, std.title, v1, v2, tuple(changes(std, v1, v2)))


def diff(
    standard: str, v1: str | int, v2: str | int, catalogue: Catalogue | None = None
) -> StandardDiff:
    """The diff of a standard between two of its versions, by name: diff("cin_census", 2021,
    2022). Raises HeadwayError for an unknown standard or version."""
    cat = catalogue or load()
    std = cat.standard(standard)
    return compare(std, cat.version(std, v1), cat.version(std, v2))
