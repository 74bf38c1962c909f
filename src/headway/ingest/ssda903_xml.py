"""SSDA903 in its XML form, streamed into the same record kinds and tables as the 903 CSVs.

The structure is the one the D2I 903 validator reads (lac_validator.ingress,
read_xml_from_text): every element under the root is one child. A child carries its own
leaf fields (CHILDID, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB; the UASC flag and DUC; the
care-leaver fields IN_TOUCH, ACTIV, ACCOM; the adoption fields DATE_INT ... LS_ADOPTR),
EPISODE elements, and a HEADER element holding AREVIEW, AMISSING, OC2, PERMANENCE and
AD_PLACED elements. Headway turns them into the CSV tables' records:

  child leaves       -> Header, and UASC / OC3 / AD1 when the child has those fields
  EPISODE            -> Episodes (PL is the CSV's PLACE, CHILDID its CHILD)
  HEADER/AREVIEW     -> Reviews        HEADER/AMISSING   -> Missing
  HEADER/OC2         -> OC2            HEADER/PERMANENCE -> PrevPerm
  HEADER/AD_PLACED   -> PlacedAdoption
A group element with another name (e.g. social worker episodes or DoLo orders in newer
files) becomes the 903 table whose columns its fields are, if exactly one table fits.
Each group record takes CHILD and DOB from its child, as a CSV row repeats them.

Differences from the D2I reader, on purpose: a UASC row is made when the UASC flag is set
(not 0/false/N) or DUC has a value, so a file that says <UASC>0</UASC> for every child
does not make every child UASC; leaves are read where they belong (the child's own, or the
group's) rather than flattened across the whole child. Fields Headway does not know are
kept in hw_value_issues, never dropped; a child with no CHILDID is quarantined with all
its records. Dates (YYYY-MM-DD or dd/mm/YYYY) pass through raw to the writer.

Source refs are element paths: CHILD[3], CHILD[3]/EPISODE[2], CHILD[3]/HEADER/AREVIEW[1];
the records built from a child's own fields are CHILD[3]#UASC, CHILD[3]#OC3, CHILD[3]#AD1.
One child at a time is held in memory, whatever the size of the file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

from headway.errors import HeadwayError
from headway.ingest.load import FileLoad, ValueIssue
from headway.ingest.mapping import RecordMapping, mappings
from headway.ingest.xml_safety import CountingReader, safe_iterparse, syntax_error

# XML element names that differ from the CSV column names.
RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}
# Group elements and the 903 table they hold.
GROUPS = {
    "EPISODE": "Episodes",
    "AREVIEW": "Reviews",
    "AMISSING": "Missing",
    "OC2": "OC2",
    "PERMANENCE": "PrevPerm",
    "AD_PLACED": "PlacedAdoption",
}
# Elements that only hold groups (the 903 XML's per-child HEADER).
CONTAINERS = {"HEADER"}
# Tables made from the child's own leaf fields, in this order.
CHILD_KINDS = ("Header", "UASC", "OC3", "AD1")
UASC_FLAG = "UASC"
_NOT_SET = {"", "0", "false", "n", "no"}
_SHARED = {"CHILD", "DOB", "SEX"}  # repeated on every table's row; they identify nothing

Leaves = dict[str, str | None]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag


def _name(tag: str) -> str:
    name = _local(tag)
    return RENAMED.get(name, name)


@cache
def _group_kinds() -> dict[str, frozenset[str]]:
    """Tables a group element can hold, with their fields other than CHILD, DOB and SEX."""
    return {
        kind: frozenset(f.source for f in m.fields) - _SHARED
        for kind, m in mappings("ssda903").items()
        if kind not in CHILD_KINDS
    }


def _kind_by_fields(names: set[str]) -> str | None:
    """The one table a group of fields belongs to, if exactly one fits."""
    own = names - _SHARED
    fits = [k for k, cols in _group_kinds().items() if own and own <= cols]
    return fits[0] if len(fits) == 1 else None


@dataclass
class _Record:
    kind: str
    leaves: Leaves
    ref: str


@dataclass
class _Child:
    """One child element, taken apart: its own leaves and its group records."""

    ref: str
    leaves: Leaves = field(default_factory=dict)
    groups: list[_Record] = field(default_factory=list)
    strays: list[tuple[str, str, str | None]] = field(default_factory=list)  # ref, tag, text

    def take(self, container: etree._Element, path: str, counts: Counter[str]) -> None:
        for part in container:
            name = _name(part.tag)
            if len(part) == 0:
                if name in self.leaves:
                    self.strays.append((path, name, part.text))  # a repeated field
                else:
                    self.leaves[name] = part.text
                continue
            if name in CONTAINERS:
                self.take(part, f"{path}/{name}", counts)
                continue
            leaves, nested = _group_leaves(part)
            kind = GROUPS.get(name) or _kind_by_fields(set(leaves))
            counts[f"{path}/{name}"] += 1
            where = f"{path}/{name}[{counts[f'{path}/{name}']}]"
            if kind is None:  # not a 903 group: its fields are the child's, as D2I reads them
                for tag, text in leaves.items():
                    if tag in self.leaves:
                        self.strays.append((where, tag, text))
                    else:
                        self.leaves[tag] = text
            else:
                self.groups.append(_Record(kind, leaves, where))
            self.strays += [(where, tag, text) for tag, text in nested]


def _group_leaves(el: etree._Element) -> tuple[Leaves, list[tuple[str, str | None]]]:
    """A group's leaf fields; anything nested deeper is returned as text to keep aside."""
    leaves: Leaves = {}
    nested: list[tuple[str, str | None]] = []
    for part in el:
        name = _name(part.tag)
        if len(part) == 0 and name not in leaves:
            leaves[name] = part.text
        else:
            nested.append((name, etree.tostring(part, encoding="unicode", with_tail=False)))
    return leaves, nested


def _has_value(text: str | None) -> bool:
    return text is not None and bool(text.strip())


class _ChildReader:
    """Turns one child element into 903 records for the load."""

    def __init__(self, load: FileLoad) -> None:
        self.load = load
        self.maps = mappings("ssda903")
        self.child_fields = {
            kind: frozenset(f.source for f in self.maps[kind].fields) for kind in CHILD_KINDS
        }
        self.known = frozenset({UASC_FLAG}.union(*self.child_fields.values()))

    def issue(self, table: str, where: str, tag: str, text: str | None, what: str) -> None:
        self.load.issues.append(ValueIssue(table, tag, where, (text or "").strip(), what))

    def own_records(self, child: _Child) -> list[_Record]:
        """Header, and UASC, OC3 and AD1 when the child has those fields."""
        leaves = child.leaves
        out = [_Record("Header", leaves, child.ref)]
        uasc_flag = (leaves.get(UASC_FLAG) or "").strip().lower()
        if uasc_flag not in _NOT_SET or _has_value(leaves.get("DUC")):
            out.append(_Record("UASC", leaves, f"{child.ref}#UASC"))
        for kind in ("OC3", "AD1"):
            own = self.child_fields[kind] - _SHARED
            if any(_has_value(leaves.get(f)) for f in own):
                out.append(_Record(kind, leaves, f"{child.ref}#{kind}"))
        person = self.maps["Header"].table
        for tag, text in leaves.items():
            if tag not in self.known and _has_value(text):
                self.issue(
                    person,
                    child.ref,
                    tag,
                    text,
                    f"element <{tag}> is not part of the SSDA903 child record; kept here, "
                    "not loaded",
                )
        return out

    def row(self, m: RecordMapping, rec: _Record, child: Leaves) -> tuple[str | None, ...]:
        values: dict[str, str | None] = {}
        for f in m.fields:
            text = rec.leaves.get(f.source)
            if text is None and f.source in _SHARED:
                text = child.get(f.source)
            values[f.column] = text
        if rec.kind not in CHILD_KINDS:
            for tag, text in rec.leaves.items():
                if tag not in m.position and _has_value(text):
                    self.issue(
                        m.table,
                        rec.ref,
                        tag,
                        text,
                        f"element <{tag}> is not part of the SSDA903 {m.kind} table; kept "
                        "here, not loaded",
                    )
        return tuple(values.get(c) for c in m.columns)

    def read(self, el: etree._Element, ref: str) -> None:
        child = _Child(ref)
        child.take(el, ref, Counter())
        records = self.own_records(child) + child.groups
        for rec in records:
            self.load.records[rec.kind] += 1
        for where, tag, text in child.strays:
            kind = next((r.kind for r in child.groups if r.ref == where), "Header")
            self.issue(
                self.maps[kind].table,
                where,
                tag,
                text,
                "repeated or nested element Headway does not load; kept here",
            )
        child_id = (child.leaves.get("CHILD") or "").strip()
        for rec in records:
            m = self.maps[rec.kind]
            if not child_id:
                self.load.quarantine(
                    rec.kind,
                    m.table,
                    rec.ref,
                    "the child has no CHILDID, so its records cannot be linked",
                    rec.leaves,
                )
            else:
                self.load.writer(rec.kind, m.table, m.columns).add(
                    self.row(m, rec, child.leaves), rec.ref
                )


def read_903_xml(path: Path, load: FileLoad) -> None:
    """Stream an SSDA903 XML return into `load`, one child element at a time."""
    reader = _ChildReader(load)
    n = 0
    seen: Counter[str] = Counter()
    with path.open("rb") as raw:
        try:
            for _, el in safe_iterparse(CountingReader(raw, None), ("*",)):
                parent = el.getparent()
                if parent is None or parent.getparent() is not None:
                    continue  # the root itself, or an element inside a child
                n += 1
                name = _local(el.tag)
                seen[name] += 1
                reader.read(el, f"{name}[{seen[name]}]")
                el.clear()
                while el.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError as exc:
            raise syntax_error(path, exc) from exc
    if n == 0:
        raise HeadwayError(
            f"{path.name} is an SSDA903 XML file with no child records.",
            "Check the export finished; an empty return cannot be loaded.",
        )
