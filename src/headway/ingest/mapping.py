"""The source-to-model mappings in mappings.yaml, as typed objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from headway.model.schema import table


@dataclass(frozen=True)
class Field:
    source: str  # the field as it appears in the return
    column: str  # the standard-model column
    item: str | None
    note: str | None


@dataclass(frozen=True)
class RecordMapping:
    kind: str  # e.g. Child, CINdetails, Episodes, List 3
    table: str
    keys: tuple[str, ...]
    fields: tuple[Field, ...]
    # The columns a reader fills, in order: keys, then mapped fields (deduplicated) ...
    columns: tuple[str, ...] = ()
    # ... and, for each source field, its position in `columns`.
    position: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cols = tuple(dict.fromkeys((*self.keys, *(f.column for f in self.fields))))
        object.__setattr__(self, "columns", cols)
        object.__setattr__(self, "position", {f.source: cols.index(f.column) for f in self.fields})

    def column_of(self, source: str) -> str:
        return self.columns[self.position[source]]


@cache
def mappings(source_return: str) -> dict[str, RecordMapping]:
    """The record mappings of one return (cin_census, ssda903, annex_a), by record kind."""
    text = resources.files("headway.ingest").joinpath("mappings.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)[source_return]
    out: dict[str, RecordMapping] = {}
    for kind, body in spec.items():
        t = table(body["table"])
        fields = tuple(
            Field(src, f["column"], f.get("item"), f.get("note"))
            for src, f in body["fields"].items()
        )
        keys = tuple(body.get("keys", []))
        for col in (*keys, *(f.column for f in fields)):
            t.column(col)  # raises if the model has no such column
        out[kind] = RecordMapping(kind, t.name, keys, fields)
    return out
