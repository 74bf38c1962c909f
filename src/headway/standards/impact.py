"""Change impact: what a standard diff means for one LA's data.

`impact(diff, con)` reads the LA's DuckDB workspace and turns each change into consequences:
data that loses its home or changes meaning (removed items, items replaced by another that
lands in the same column, withdrawn or relabelled codes, with how many of the LA's rows and
values are affected), new blocks, tables and items and whether the LA holds any data for them
yet, items the standard model has nowhere to put, rule changes (newly required items and
blanks in them), and DfE rule findings already raised on the items that change.

Rows are counted from the loads of the standard itself (hw_loads.source_return): an Annex A
row that stores "f) U6: ..." is not an SSDA903 code. New items are checked against any
source, since an SSD extract may already hold them.

Each consequence is a dict the desk can take as a request: kind, title, description, items,
severity (high, medium, low) and effort_hours, a default estimate from EFFORT_HOURS:

    table_removed / item_removed   8   archive the data, retire what reads it
    item_replaced                  6   map or recode history, re-baseline measures
    new_block                     24   new recording in the case system, extract and checks
    new_item                       8   one new field to record and extract
    new_held                       2   data already held: map it into the return
    model_gap                      4   Headway's standard model needs a column (CoE work)
    codes_removed                  4   recode current values, update picklists
    codes_added / codes_relabelled 1   update picklists and the extract
    now_required / type_changed    4   fill blanks or convert values
    item_changed                   2   definition, cardinality or place changed
    dfe_findings                   2   review existing rule failures on the changed items
    no_data_affected             0.5   a change that touches none of the LA's data
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.standards.catalogue import Catalogue, load
from headway.standards.counts import WorkspaceCounts
from headway.standards.diff import EntryChange, StandardDiff, describe
from headway.standards.spec import Entry, Facts, Standard
from headway.workspace import Workspace

EFFORT_HOURS = {
    "table_removed": 8.0,
    "item_removed": 8.0,
    "item_replaced": 6.0,
    "new_block": 24.0,
    "new_item": 8.0,
    "new_held": 2.0,
    "model_gap": 4.0,
    "codes_removed": 4.0,
    "codes_added": 1.0,
    "codes_relabelled": 1.0,
    "now_required": 4.0,
    "type_changed": 4.0,
    "item_changed": 2.0,
    "dfe_findings": 2.0,
    "no_data_affected": 0.5,
}
# The hw_loads.source_return values of each standard's files.
SOURCES = {
    "cin_census": ("cin_census",),
    "ssda903": ("ssda903",),
    "annex_a": ("annex_a",),
    "ssd": ("ssd_extract",),
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Consequence:
    kind: str
    title: str
    description: str
    items: tuple[str, ...]  # catalogue ids
    severity: str  # high, medium, low
    effort_hours: float
    columns: tuple[str, ...] = ()  # standard-model table.column (or tables) concerned
    rows: int = 0  # the LA's rows or values affected
    basis: str = "reference"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "items": list(self.items),
            "severity": self.severity,
            "effort_hours": self.effort_hours,
            "columns": list(self.columns),
            "rows": self.rows,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class Impact:
    standard: str
    v1: str
    v2: str
    identical: bool
    consequences: tuple[Consequence, ...]

    @property
    def effort_hours(self) -> float:
        return sum(c.effort_hours for c in self.consequences)

    def summary(self) -> str:
        if self.identical:
            return f"No change between {self.v1} and {self.v2}: nothing to do."
        high = sum(c.severity == "high" for c in self.consequences)
        n = len(self.consequences)
        return (
            f"{self.standard} {self.v1} to {self.v2}: {n} consequence{'' if n == 1 else 's'} "
            f"for this LA ({high} high), about {self.effort_hours:g} hours."
        )

    def requests(self) -> list[dict[str, Any]]:
        """The consequences as desk requests: each with its source."""
        source = f"standard diff {self.standard} {self.v1} to {self.v2}"
        return [c.to_json() | {"source": source} for c in self.consequences]

    def to_json(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "from": self.v1,
            "to": self.v2,
            "identical": self.identical,
            "summary": self.summary(),
            "effort_hours": self.effort_hours,
            "consequences": self.requests(),
        }

    def render(self, console: Console) -> None:
        console.print(f"[bold]{escape(self.summary())}[/]")
        if not self.consequences:
            return
        grid = Table("Severity", "Consequence", "Rows", "Hours", title_justify="left")
        colour = {"high": "red", "medium": "yellow", "low": "green"}
        for c in self.consequences:
            text = f"[bold]{escape(c.title)}[/]\n{escape(c.description)}"
            grid.add_row(
                f"[{colour[c.severity]}]{c.severity}[/]", text, f"{c.rows:,}", f"{c.effort_hours:g}"
            )
        console.print(grid)


# --- consequences ---------------------------------------------------------------------------


class _Assessor:
    def __init__(self, diff: StandardDiff, data: WorkspaceCounts, cat: Catalogue) -> None:
        self.diff = diff
        self.data = data
        self.cat = cat
        self.std: Standard = cat.standard(diff.standard)
        self.entries = {e.id: e for e in self.std.entries}
        self.title = f"{self.std.title} {diff.v2}"

    def facts(self, change: EntryChange, version: str) -> Facts | None:
        return self.std.facts(self.entries[change.id], version)

    def entry(self, change: EntryChange) -> Entry:
        return self.entries[change.id]

    def columns(self, change: EntryChange) -> tuple[str, ...]:
        return self.cat.columns(self.entry(change))

    def members(self, container: EntryChange, changes: Iterable[EntryChange]) -> list[str]:
        return [c.id for c in changes if container.id in c.within]

    def consequence(
        self,
        kind: str,
        change: EntryChange,
        title: str,
        description: str,
        *,
        severity: str,
        items: Iterable[str] | None = None,
        rows: int = 0,
        columns: Iterable[str] = (),
        effort: str | None = None,
    ) -> Consequence:
        return Consequence(
            kind=kind,
            title=f"{self.title}: {title}",
            description=description,
            items=tuple(items) if items is not None else (change.id,),
            severity=severity,
            effort_hours=EFFORT_HOURS[effort or kind],
            columns=tuple(columns),
            rows=rows,
            basis=change.basis,
        )

    # -- removed ----------------------------------------------------------------------------

    def removed_container(self, change: EntryChange) -> Consequence:
        tables = self.cat.tables(self.entry(change))
        rows = self.data.rows(tables, own=True)
        members = self.members(change, self.diff.items_removed)
        where = ", ".join(tables) or "no standard-model table"
        return self.consequence(
            "table_removed",
            change,
            f"{change.kind} {change.name} is no longer collected",
            f"{change.name} ({len(members)} items) is not in {self.diff.v2}. The LA holds "
            f"{rows:,} rows of it from this return in {where}; they have no home in the new "
            "return: keep them for history and retire the reports and measures that read them.",
            items=(change.id, *members),
            rows=rows,
            columns=tables,
            severity="high" if rows else "low",
            effort="table_removed" if rows else "no_data_affected",
        )

    def replacements(self, change: EntryChange) -> list[EntryChange]:
        cols = set(self.columns(change))
        return [a for a in self.diff.items_added if cols & set(self.columns(a))]

    def removed_item(self, change: EntryChange) -> Consequence:
        cols = self.columns(change)
        rows = self.data.filled(cols)
        old = self.facts(change, self.diff.v1)
        name = f"{change.name} ({change.id})"
        replaced = self.replacements(change)
        if replaced:
            new = self.facts(replaced[0], self.diff.v2)
            new_codes = [c.code for c in (new.codes or ())] if new else []
            recode = self.data.not_in(cols, new_codes) if new and new.codes else 0
            names = ", ".join(f"{r.name} ({r.id})" for r in replaced)
            detail = f" {recode:,} of them use codes the new item does not have." if recode else ""
            return self.consequence(
                "item_replaced",
                change,
                f"{change.name} is replaced by {names}",
                f"{name} gives way to {names}, which lands in the same column "
                f"({', '.join(cols)}). The LA holds {rows:,} values from earlier returns whose "
                f"meaning changes.{detail} Map or recode the history so measures compare "
                "like with like.",
                items=(change.id, *(r.id for r in replaced)),
                rows=recode or rows,
                columns=cols,
                severity="high" if recode else "medium" if rows else "low",
                effort="item_replaced" if rows else "no_data_affected",
            )
        home = ", ".join(cols) or "no standard-model column"
        coded = f" (codes {', '.join(c.code for c in old.codes)})" if old and old.codes else ""
        return self.consequence(
            "item_removed",
            change,
            f"{change.name} is no longer collected",
            f"{name}{coded} is not in {self.diff.v2}. The LA holds {rows:,} values of it from "
            f"this return in {home}; they have no home in the new return.",
            rows=rows,
            columns=cols,
            severity="high" if rows else "low",
            effort="item_removed" if rows else "no_data_affected",
        )

    # -- added ------------------------------------------------------------------------------

    def added_container(self, change: EntryChange) -> list[Consequence]:
        tables = self.cat.tables(self.entry(change))
        members = [self.entries[i] for i in self.members(change, self.diff.items_added)]
        held = self.data.rows(tables, own=False)
        where = ", ".join(tables) or "no standard-model table"
        state = (
            f"The LA holds {held:,} rows in {where} already"
            if held
            else (f"The LA holds no data for it yet ({where} is empty)")
        )
        out = [
            self.consequence(
                "new_block",
                change,
                f"new {change.kind} {change.name}",
                f"{change.name} ({len(members)} items: "
                f"{', '.join(m.name for m in members)}) is new in {self.diff.v2}. {state}.",
                items=(change.id, *(m.id for m in members)),
                rows=held,
                columns=tables,
                severity="medium" if held else "high",
                effort="new_held" if held else "new_block",
            )
        ]
        gap = [m for m in members if not self.cat.columns(m)]
        if gap:
            out.append(self.model_gap(change, gap))
        return out

    def model_gap(self, change: EntryChange, entries: list[Entry]) -> Consequence:
        names = ", ".join(e.name for e in entries)
        return self.consequence(
            "model_gap",
            change,
            f"no standard-model column for {names}",
            f"Headway's standard model has nowhere to keep {names} yet, so their data cannot "
            "be loaded, measured or returned until a column is added (src/headway/model).",
            items=tuple(e.id for e in entries),
            severity="medium",
        )

    def added_item(self, change: EntryChange) -> Consequence | None:
        cols = self.columns(change)
        entry = self.entry(change)
        if not cols:
            return self.model_gap(change, [entry])
        removed_cols = {c for r in self.diff.items_removed for c in self.columns(r)}
        if set(cols) & removed_cols:
            return None  # a replacement: the removed item's consequence covers it
        held = self.data.filled(cols, own=False)
        facts = self.facts(change, self.diff.v2)
        required = bool(facts and facts.required)
        need = "required" if required else "optional"
        if held:
            return self.consequence(
                "new_item",
                change,
                f"new item {change.name} ({need})",
                f"{change.name} ({change.id}) is new in {self.diff.v2}. The LA already holds "
                f"{held:,} values in {', '.join(cols)}: map them into the return.",
                rows=held,
                columns=cols,
                severity="low",
                effort="new_held",
            )
        return self.consequence(
            "new_item",
            change,
            f"new item {change.name} ({need}): no data yet",
            f"{change.name} ({change.id}) is new in {self.diff.v2} and {', '.join(cols)} is "
            "empty in this workspace: it has to be recorded and extracted.",
            columns=cols,
            severity="high" if required else "medium",
        )

    # -- changed ----------------------------------------------------------------------------

    def changed_item(self, change: EntryChange) -> list[Consequence]:
        cols = self.columns(change)
        out = []
        if change.codes_removed:
            codes = [c.code for c in change.codes_removed]
            n = self.data.using(cols, codes)
            out.append(
                self.consequence(
                    "codes_removed",
                    change,
                    f"{change.name}: codes {', '.join(codes)} withdrawn",
                    f"{change.name} ({change.id}) no longer takes {', '.join(codes)}. "
                    + (
                        f"{n:,} of the LA's current values use them "
                        f"({', '.join(cols) or 'no column'}): recode them and take the codes off "
                        "the recording system's lists."
                        if n
                        else "None of the LA's current values use them: take them off the "
                        "recording system's lists."
                    ),
                    rows=n,
                    columns=cols,
                    severity="high" if n else "low",
                    effort="codes_removed" if n else "no_data_affected",
                )
            )
        if change.codes_added:
            codes = [c.code for c in change.codes_added]
            out.append(
                self.consequence(
                    "codes_added",
                    change,
                    f"{change.name}: new codes {', '.join(codes)}",
                    f"{change.name} ({change.id}) takes new codes {', '.join(codes)}: add them to "
                    "the recording system's lists and the extract.",
                    columns=cols,
                    severity="low",
                )
            )
        if change.codes_relabelled:
            codes = [r.code for r in change.codes_relabelled]
            n = self.data.using(cols, codes)
            out.append(
                self.consequence(
                    "codes_relabelled",
                    change,
                    f"{change.name}: codes {', '.join(codes)} mean something new",
                    f"The label of {', '.join(codes)} changes; {n:,} current values use them.",
                    rows=n,
                    columns=cols,
                    severity="medium" if n else "low",
                )
            )
        out += self.changed_fields(change, cols)
        return out

    def changed_fields(self, change: EntryChange, cols: tuple[str, ...]) -> list[Consequence]:
        fields = {f.field: f for f in change.fields}
        out = []
        required = fields.pop("required", None)
        if required is not None and required.after:
            blanks = self.data.blank(cols)
            out.append(
                self.consequence(
                    "now_required",
                    change,
                    f"{change.name} becomes required",
                    f"{change.name} ({change.id}) may no longer be left blank; {blanks:,} of the "
                    f"LA's rows leave it blank ({', '.join(cols) or 'no column'}).",
                    rows=blanks,
                    columns=cols,
                    severity="high" if blanks else "low",
                    effort="now_required" if blanks else "no_data_affected",
                )
            )
        elif required is not None:
            fields["required"] = required
        if not fields:
            return out
        rows = self.data.filled(cols)
        typed = bool({"type", "format", "coded"} & set(fields))
        lines = [line for line in describe(change) if line.split(":")[0] in fields]
        out.append(
            self.consequence(
                "type_changed" if typed else "item_changed",
                change,
                f"{change.name} changes",
                f"{change.name} ({change.id}): " + "; ".join(lines) + f". {rows:,} of the LA's "
                "values are affected.",
                rows=rows,
                columns=cols,
                severity="medium" if rows else "low",
                effort=("type_changed" if typed else "item_changed")
                if rows
                else "no_data_affected",
            )
        )
        return out

    def dfe(self) -> Consequence | None:
        touched = [*self.diff.items_removed, *self.diff.items_changed]
        if not touched:
            return None
        names = {c.name for c in touched}
        found = 0
        for source in SOURCES.get(self.std.id, ()):
            found += self.data.dfe_findings(source, names)
        if not found:
            return None
        return self.consequence(
            "dfe_findings",
            touched[0],
            "DfE rule findings on the changing items",
            f"The last DfE rule run raised {found:,} findings on items this change touches "
            f"({', '.join(sorted(names))}); review them against the new version's rules.",
            items=tuple(c.id for c in touched),
            rows=found,
            severity="medium",
        )

    def all(self) -> list[Consequence]:
        out = [self.removed_container(c) for c in self.diff.containers_removed]
        removed_containers = {c.id for c in self.diff.containers_removed}
        for change in self.diff.items_removed:
            if not set(change.within) & removed_containers:
                out.append(self.removed_item(change))
        added_containers = {c.id for c in self.diff.containers_added}
        for change in self.diff.containers_added:
            out += self.added_container(change)
        for change in self.diff.items_added:
            if not set(change.within) & added_containers:
                found = self.added_item(change)
                if found is not None:
                    out.append(found)
        for change in self.diff.items_changed:
            out += self.changed_item(change)
        dfe = self.dfe()
        if dfe is not None:
            out.append(dfe)
        out.sort(key=lambda c: SEVERITY_ORDER[c.severity])
        return out


def impact(
    diff: StandardDiff, con: duckdb.DuckDBPyConnection, catalogue: Catalogue | None = None
) -> Impact:
    """The consequences of `diff` for the LA whose workspace `con` is open on."""
    cat = catalogue or load()
    data = WorkspaceCounts(con, SOURCES.get(diff.standard, (diff.standard,)))
    found = _Assessor(diff, data, cat).all() if not diff.identical else []
    return Impact(diff.standard, diff.v1, diff.v2, diff.identical, tuple(found))


def workspace_impact(ws: Workspace, diff: StandardDiff) -> Impact:
    """`impact` on a workspace, opened read-only for the time it takes."""
    with ws.connect(read_only=True) as con:
        return impact(diff, con)
