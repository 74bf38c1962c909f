"""The CIN census XML, streamed into the standard model (any year from 2017; GenderCurrent or Sex).

One Child element at a time: memory stays flat whatever the size of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from headway.errors import HeadwayError
from headway.ingest.dates import collection_year, parse_date_text
from headway.ingest.load import FileLoad, ValueIssue
from headway.ingest.mapping import RecordMapping, mappings
from headway.ingest.xml_safety import CountingReader, RangeReader, safe_iterparse, syntax_error

Leaves = dict[str, Any]
FLUSH_CHECK_EVERY = 1000  # children between checks for full row buffers


@dataclass
class CinHeader:
    collection: str | None = None
    year: int | None = None
    lea: str | None = None
    sex_element: str | None = None  # GenderCurrent (to 2023-24) or Sex (from 2024-25)


def _header(el: etree._Element) -> CinHeader:
    h = CinHeader()
    h.collection = el.findtext("CollectionDetails/Collection")
    ref = el.findtext("CollectionDetails/ReferenceDate")
    ref_date = parse_date_text(ref) if ref else None
    year_text = (el.findtext("CollectionDetails/Year") or "").strip()
    if ref_date is not None:
        h.year = collection_year(ref_date)
    elif year_text.isdigit():
        h.year = int(year_text)
    h.lea = (el.findtext("Source/LEA") or "").strip() or None
    return h


# Records with a repeating group inside them: the group element, the repeating element (a
# record kind of its own), and the prefixes of the derived identifiers (C1/CIN1/A1/F2).
_NESTED = {
    "Assessments": ("FactorsIdentifiedAtAssessment", "AssessmentFactors", "A", "F"),
    "ChildProtectionPlans": ("Reviews", "CPPreviewDate", "CPP", "R"),
}


class _Kind:
    """One record kind's mapping, writer and count, looked up once per file, not per row."""

    def __init__(self, load: FileLoad, m: RecordMapping) -> None:
        self.mapping = m
        self.position = m.position
        self.width = len(m.columns)
        self.rows = load.writer(m.kind, m.table, m.columns).rows
        self.load = load
        self.seen = 0

    def row(self, keys: tuple[Any, ...], leaves: etree._Element | Leaves, ref: str) -> None:
        """Store one record: its keys, then each leaf element in its mapped column."""
        self.seen += 1
        # values, then the source ref: the layout TableWriter.rows holds (flushed per Child)
        values: list[Any] = [*keys, *([None] * (self.width - len(keys))), ref]
        position = self.position
        if isinstance(leaves, dict):
            for tag, text in leaves.items():
                i = position.get(tag)
                if i is None:
                    self.unexpected(str(tag), text, ref)
                else:
                    values[i] = text
        else:
            for e in leaves:
                i = position.get(e.tag)
                if i is None:
                    self.unexpected(str(e.tag), e.text, ref)
                else:
                    values[i] = e.text
        self.rows.append(tuple(values))

    def unexpected(self, tag: str, text: object, ref: str) -> None:
        self.load.issues.append(
            ValueIssue(
                self.mapping.table,
                tag,
                ref,
                str(text or ""),
                f"element <{tag}> is not part of the CIN census {self.mapping.kind} record; "
                "kept here, not loaded",
            )
        )


class _ChildReader:
    """Turns one Child element into rows of the standard model."""

    def __init__(self, load: FileLoad) -> None:
        self.load = load
        self.maps = mappings("cin_census")
        self.kinds = {kind: _Kind(load, m) for kind, m in self.maps.items()}
        self.sex_elements: set[str] = set()

    def count(self) -> None:
        for kind, k in self.kinds.items():
            if k.seen:
                self.load.records[kind] += k.seen

    def read(self, child: etree._Element, ref: str) -> None:
        person: Leaves = {}
        disabilities: list[etree._Element] = []
        episodes: list[etree._Element] = []
        for part in child:
            tag = part.tag
            if tag == "CINdetails":
                episodes.append(part)
            elif tag == "ChildIdentifiers":
                person.update((e.tag, e.text) for e in part)
            elif tag == "ChildCharacteristics":
                for leaf in part:
                    if leaf.tag == "Disabilities":
                        disabilities.extend(leaf)
                    else:
                        person[leaf.tag] = leaf.text
            else:
                person[tag] = part.text
        if "Sex" in person or "GenderCurrent" in person:
            self.sex_elements.add("Sex" if "Sex" in person else "GenderCurrent")
        child_id = (person.get("LAchildID") or "").strip()
        if not child_id:
            self._quarantine(person, disabilities, episodes, ref)
            return
        k = self.kinds
        k["Child"].row((), person, ref)
        for i, d in enumerate(disabilities, 1):
            k["Disability"].row((child_id, f"{ref}/D{i}"), {"Disability": d.text},
                                f"{ref}/Disability[{i}]")  # fmt: skip
        for n, episode in enumerate(episodes, 1):
            self._episode(episode, child_id, f"{child_id}/CIN{n}", f"{ref}/CINdetails[{n}]")

    def _episode(self, episode: etree._Element, child_id: str, referral_id: str, ref: str) -> None:
        details: Leaves = {}
        counters: dict[str, int] = {}
        k = self.kinds
        for part in episode:
            tag = part.tag
            if tag not in k or len(part) == 0:
                details[tag] = (
                    part.text if len(part) == 0 else etree.tostring(part, encoding="unicode")
                )
                continue
            i = counters[tag] = counters.get(tag, 0) + 1
            where = f"{ref}/{tag}[{i}]"
            if tag in _NESTED:
                self._nested(part, tag, child_id, referral_id, i, where)
            else:
                k[tag].row((child_id, referral_id, f"{referral_id}/{tag}{i}"), part, where)
        k["CINdetails"].row((child_id, referral_id), details, ref)

    def _nested(
        self, el: etree._Element, kind: str, child_id: str, referral_id: str, i: int, ref: str
    ) -> None:
        """A record with one repeating group inside it (see _NESTED)."""
        group, inner, own_prefix, inner_prefix = _NESTED[kind]
        own_id = f"{referral_id}/{own_prefix}{i}"
        leaves: Leaves = {}
        inner_kind = self.kinds[inner]
        for part in el:
            if part.tag == group:
                for j, e in enumerate(part, 1):
                    keys = (child_id, own_id, f"{own_id}/{inner_prefix}{j}")
                    inner_kind.row(keys, {inner: e.text}, f"{ref}/{inner}[{j}]")
            else:
                leaves[part.tag] = part.text
        self.kinds[kind].row((child_id, referral_id, own_id), leaves, ref)

    def _quarantine(
        self,
        person: Leaves,
        disabilities: list[etree._Element],
        episodes: list[etree._Element],
        ref: str,
    ) -> None:
        """A child with no LAchildID: set aside it and every record inside it, counted."""
        reason = "the child has no LAchildID (N00097), so its records cannot be linked"
        held: list[tuple[str, str, object]] = [("Child", ref, person)]
        held += [("Disability", f"{ref}/Disability[{i}]", d.text)
                 for i, d in enumerate(disabilities, 1)]  # fmt: skip
        for n, episode in enumerate(episodes, 1):
            where = f"{ref}/CINdetails[{n}]"
            held.append(("CINdetails", where, etree.tostring(episode, encoding="unicode")))
            for el in episode.iter(*self.maps):
                if el is not episode and el.tag != "CINdetails":
                    held.append((str(el.tag), f"{where}/{el.tag}", el.text))
        for kind, where, raw in held:
            self.load.records[kind] += 1
            self.load.quarantine(kind, self.maps[kind].table, where, reason, raw)


@dataclass
class Part:
    """What reading (part of) a CIN census file found, beyond the rows themselves."""

    header: CinHeader | None = None
    children: int = 0
    sex_elements: set[str] = field(default_factory=set)


def read_children(
    path: Path, source: CountingReader | RangeReader, load: FileLoad, first: int = 0
) -> Part:
    """Stream Child elements from `source` into `load`, numbering them from `first` + 1."""
    part = Part()
    reader = _ChildReader(load)
    n = first
    try:
        for _, el in safe_iterparse(source, ("Header", "Child")):
            if el.tag == "Header":
                part.header = _header(el)
                _check_collection(path, part.header)
                continue
            n += 1
            reader.read(el, f"Child[{n}]")
            if n % FLUSH_CHECK_EVERY == 0:
                load.flush_full()
            el.clear()
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise syntax_error(path, exc, source.line_offset()) from exc
    reader.count()
    part.children = n - first
    part.sex_elements = reader.sex_elements
    return part


def _check_collection(path: Path, header: CinHeader) -> None:
    if header.collection and header.collection.strip().upper() != "CIN":
        raise HeadwayError(
            f"{path.name} is a '{header.collection}' collection file, not the CIN census.",
            "Check you picked the right file.",
        )


def read_cin_xml(
    path: Path, load: FileLoad, on_bytes: Callable[[int], None] | None = None
) -> CinHeader:
    """Load a CIN census file; return what its header says. Large files are read by
    several processes at once (cin_parallel), small ones here."""
    from headway.ingest import cin_parallel

    parts = cin_parallel.read_in_parallel(path, load, on_bytes)
    if parts is None:
        with path.open("rb") as raw:
            parts = [read_children(path, CountingReader(raw, on_bytes), load)]
    children = sum(p.children for p in parts)
    if children == 0:
        raise HeadwayError(
            f"{path.name} is a CIN census file with no Child records.",
            "Check the export finished; an empty return cannot be loaded.",
        )
    header = next((p.header for p in parts if p.header), CinHeader())
    header.sex_element = "/".join(sorted(set().union(*(p.sex_elements for p in parts)))) or None
    return header
