"""The catalogue's data types and their JSON form.

A standard (cin_census, ssda903, ssd, annex_a) has ordered versions and entries. An entry is
a block (CIN), a table (SSDA903, SSD), a list (Annex A) or an item. What a spec says about an
entry in one version is its `Facts`; an entry keeps its facts as `Span`s, runs of consecutive
versions with the same facts, so the JSON stays small and a diff of two versions is a lookup.

The JSON form is written by headway.standards.build and read by headway.standards.catalogue:
fields left at their default are omitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

CONTAINERS = ("block", "table", "list")
BASES = ("reference", "published", "inferred")


@dataclass(frozen=True)
class Code:
    code: str
    label: str | None = None

    def to_json(self) -> dict[str, str]:
        return {"code": self.code} | ({"label": self.label} if self.label is not None else {})


@dataclass(frozen=True)
class Facts:
    """What one version of a spec says about one entry."""

    kind: str  # block, table, list or item
    name: str  # as the spec spells it: CINreferralDate, DECOM, cine_referral_date
    item_code: str | None = None  # DfE item code (N00100) or SSD item_ref (CINE003A)
    label: str | None = None  # a short human name, where the spec gives one
    definition: str | None = None  # XSD annotation, SSD guidance
    type: str | None = None  # xs:date, referralsourcetype, category, nvarchar ...
    format: str | None = None  # pattern, date format, length: what the type does not say
    codes: tuple[Code, ...] | None = None  # None: not a coded item
    required: bool | None = None  # minOccurs >= 1; 903 canbeblank: no; SSD required
    cardinality: str | None = None  # CIN min..max, e.g. 0..unbounded
    within: tuple[str, ...] = ()  # ids of the blocks, tables or lists that hold it
    paths: tuple[str, ...] = ()  # where it sits: Message/Children/.../CINreferralDate
    returns: tuple[str, ...] = ()  # SSD: the returns the SSD says use the field
    note: str | None = None


# Facts fields that are the same in every version of an entry (written once per entry).
ENTRY_FIELDS = ("kind", "name", "item_code")
SPAN_FIELDS = tuple(f.name for f in fields(Facts) if f.name not in ENTRY_FIELDS)
# Facts fields a diff compares, in the order it reports them.
COMPARED = ("label", "definition", "type", "format", "required", "cardinality", "within", "paths")


@dataclass(frozen=True)
class Span:
    first: str  # version
    last: str  # version
    facts: Facts


@dataclass(frozen=True)
class Entry:
    id: str  # e.g. cin_census:N00100, ssda903:Episodes.DECOM, ssd:CINE003A
    standard: str
    spans: tuple[Span, ...]
    aliases: tuple[str, ...] = ()  # other names the entry goes by (903 SocialWorker)

    @property
    def kind(self) -> str:
        return self.spans[0].facts.kind

    @property
    def name(self) -> str:
        return self.spans[0].facts.name

    @property
    def item_code(self) -> str | None:
        return self.spans[0].facts.item_code

    @property
    def first(self) -> str:
        return self.spans[0].first

    @property
    def last(self) -> str:
        return self.spans[-1].last

    @property
    def latest(self) -> Facts:
        return self.spans[-1].facts


@dataclass(frozen=True)
class Version:
    version: str
    basis: str  # reference: read from a reference file; derived: Headway's documented changes
    source: str  # the reference file, or what it was derived from


@dataclass(frozen=True)
class Addition:
    """A Headway addition to a standard: a change no reference file shows, and why."""

    version: str  # the first version it applies to
    basis: str  # published or inferred
    note: str
    targets: tuple[str, ...]  # entry ids it covers; an id#code for one code


@dataclass(frozen=True)
class Standard:
    id: str
    title: str
    description: str
    versions: tuple[Version, ...]
    entries: tuple[Entry, ...]
    additions: tuple[Addition, ...] = ()
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({v.version: i for i, v in enumerate(self.versions)})

    @property
    def version_names(self) -> tuple[str, ...]:
        return tuple(v.version for v in self.versions)

    def position(self, version: str) -> int:
        """The index of `version`; KeyError if the standard has no such version."""
        return self._index[version]

    def facts(self, entry: Entry, version: str) -> Facts | None:
        """The entry's facts in `version`, or None if that version does not carry it."""
        at = self.position(version)
        for span in entry.spans:
            if self.position(span.first) <= at <= self.position(span.last):
                return span.facts
        return None


# --- JSON ----------------------------------------------------------------------------------


def _facts_json(facts: Facts, names: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(facts, name)
        if value is None or value == ():
            continue
        if name == "codes":
            out[name] = [c.to_json() for c in value]
        elif isinstance(value, tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


def entry_to_json(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"id": entry.id} | _facts_json(entry.spans[0].facts, ENTRY_FIELDS)
    if entry.aliases:
        out["aliases"] = list(entry.aliases)
    out["spans"] = [
        {"from": s.first, "to": s.last} | _facts_json(s.facts, SPAN_FIELDS) for s in entry.spans
    ]
    return out


def standard_to_json(std: Standard) -> dict[str, Any]:
    return {
        "id": std.id,
        "title": std.title,
        "description": std.description,
        "versions": [
            {"version": v.version, "basis": v.basis, "source": v.source} for v in std.versions
        ],
        "additions": [
            {"version": a.version, "basis": a.basis, "note": a.note, "targets": list(a.targets)}
            for a in std.additions
        ],
        "entries": [entry_to_json(e) for e in std.entries],
    }


def _facts_from(head: dict[str, Any], span: dict[str, Any]) -> Facts:
    values: dict[str, Any] = {k: head[k] for k in ENTRY_FIELDS if k in head}
    for name in SPAN_FIELDS:
        if name not in span:
            continue
        value = span[name]
        if name == "codes":
            values[name] = tuple(Code(c["code"], c.get("label")) for c in value)
        elif isinstance(value, list):
            values[name] = tuple(value)
        else:
            values[name] = value
    return Facts(**values)


def entry_from_json(standard: str, data: dict[str, Any]) -> Entry:
    spans = tuple(Span(s["from"], s["to"], _facts_from(data, s)) for s in data["spans"])
    return Entry(data["id"], standard, spans, tuple(data.get("aliases", ())))


def standard_from_json(data: dict[str, Any]) -> Standard:
    return Standard(
        id=data["id"],
        title=data["title"],
        description=data["description"],
        versions=tuple(Version(v["version"], v["basis"], v["source"]) for v in data["versions"]),
        entries=tuple(entry_from_json(data["id"], e) for e in data["entries"]),
        additions=tuple(
            Addition(a["version"], a["basis"], a["note"], tuple(a["targets"]))
            for a in data.get("additions", ())
        ),
    )
