"""Where catalogue entries land in the standard model, and which collections carry them.

Worked out when first asked, from Headway's own mappings (src/headway/ingest/mappings.yaml:
which statutory field fills which column) and, for the SSD, from the model's item_refs, so
the committed catalogue holds only what the specifications say. A CIN item lands where the
record it sits in (the nearest enclosing block that mappings.yaml maps) puts that element;
an SSDA903 column or Annex A heading where its table or list puts it.

An item's collections are its own standard, every other standard with an item landing in
the same column, and, for SSD fields, the returns the SSD names (without its status markers
such as 1aNotInCMS).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from headway.standards.spec import Entry, Standard

if TYPE_CHECKING:
    from headway.ingest.mapping import RecordMapping
    from headway.model.schema import Table

RETURN_NAMES = {
    "CIN": "cin_census",
    "SSDA903": "ssda903",
    "SSD903": "ssda903",
    "AnnexA": "annex_a",
    "Loca;": "local",
}


@dataclass(frozen=True)
class Landing:
    columns: dict[str, tuple[str, ...]]  # entry id -> ("table.column", ...)
    tables: dict[str, tuple[str, ...]]  # container id -> (model table, ...)
    by_column: dict[str, tuple[str, ...]]  # "table.column" -> entry ids

    def related(self, entry_id: str) -> tuple[str, ...]:
        found = (e for c in self.columns.get(entry_id, ()) for e in self.by_column.get(c, ()))
        return tuple(dict.fromkeys(e for e in found if e != entry_id))


def collection_names(returns: Iterable[str]) -> tuple[str, ...]:
    """The SSD's `returns` as collection names: cin_census, ssda903, annex_a, riia, local ..."""
    out = []
    for value in returns:
        for part in value.split(","):
            name = part.strip()
            if name and not re.match(r"^\d", name):  # 1aNotInCMS etc. are SSD statuses
                out.append(RETURN_NAMES.get(name, name.lower()))
    return tuple(dict.fromkeys(out))


def model_tables() -> dict[str, Table]:
    # Imported here, as mappings below: loading the catalogue needs neither.
    from headway.model.schema import tables

    return tables()


@cache
def _maps(source_return: str) -> dict[str, RecordMapping]:
    from headway.ingest.mapping import mappings

    return mappings(source_return)


def _field(m: RecordMapping, source: str) -> str | None:
    return f"{m.table}.{m.column_of(source)}" if source in m.position else None


def _cin(path: str) -> str | None:
    names = path.split("/")
    maps = _maps("cin_census")
    for candidate in reversed(names):
        m = maps.get(candidate)
        if m is not None and (found := _field(m, names[-1])) is not None:
            return found
    return None


def _dotted(source_return: str, path: str) -> str | None:
    table, _, field = path.partition(".")
    m = _maps(source_return).get(table)
    return None if m is None else _field(m, field)


def _ssd_columns() -> dict[str, str]:
    return {
        c.item_ref: f"{t.name}.{c.name}"
        for t in model_tables().values()
        for c in t.columns
        if c.item_ref
    }


def _item_columns(entry: Entry, ssd: dict[str, str]) -> tuple[str, ...]:
    if entry.standard == "ssd":
        found = ssd.get(entry.item_code or "")
        return (found,) if found else ()
    paths = dict.fromkeys(p for s in entry.spans for p in s.facts.paths)
    if entry.standard == "cin_census":
        cols = [_cin(p) for p in paths]
    else:
        cols = [_dotted(entry.standard, p) for p in paths]
    return tuple(dict.fromkeys(c for c in cols if c))


def _container_tables(entry: Entry) -> tuple[str, ...]:
    if entry.standard == "ssd":
        return (entry.name,) if entry.name in model_tables() else ()
    m = _maps(entry.standard).get(entry.name)
    return (m.table,) if m is not None else ()


def landing(standards: Iterable[Standard]) -> Landing:
    ssd = _ssd_columns()
    columns: dict[str, tuple[str, ...]] = {}
    tables: dict[str, tuple[str, ...]] = {}
    by_column: dict[str, list[str]] = defaultdict(list)
    for std in standards:
        for entry in std.entries:
            if entry.kind == "item":
                columns[entry.id] = _item_columns(entry, ssd)
                for c in columns[entry.id]:
                    by_column[c].append(entry.id)
            else:
                tables[entry.id] = _container_tables(entry)
    return Landing(columns, tables, {c: tuple(ids) for c, ids in by_column.items()})
