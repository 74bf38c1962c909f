"""The CIN census XML, streamed into the standard model (any year from 2017; GenderCurrent or Sex).

One Child element at a time: memory stays flat whatever the size of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from headway.errors import HeadwayError
from headway.ingest.dates import collection_year, parse_date_text
from headway.ingest.load import FileLoad, ValueIssue
from headway.ingest.mapping import RecordMapping, mappings
from headway.ingest.xml_safety import CountingReader, safe_iterparse, syntax_error

Leaves = dict[str, Any]


@dataclass
class CinHeader:
    collection: str | None = None
    year: int | None = None
    lea: str | None = None
    sex_element: str | None = None  # GenderCurrent (to 2023-24) or Sex (from 2024-25)


def _leaves(el: etree._Element) -> Leaves:
    return {leaf.tag: leaf.text for leaf in el}


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


class _ChildReader:
    """Turns one Child element into rows of the standard model."""

    def __init__(self, load: FileLoad) -> None:
        self.load = load
        self.maps = mappings("cin_census")
        self.sex_elements: set[str] = set()

    def row(
        self, m: RecordMapping, keys: tuple[Any, ...], leaves: Leaves, ref: str
    ) -> tuple[Any, ...]:
        values = dict(zip(m.keys, keys, strict=True))
        for tag, text in leaves.items():
            try:
                values[m.column_of(tag)] = text
            except KeyError:
                self.load.issues.append(
                    ValueIssue(
                        m.table,
                        str(tag),
                        ref,
                        str(text or ""),
                        f"element <{tag}> is not part of the CIN census {m.kind} record; "
                        "kept here, not loaded",
                    )
                )
        return tuple(values.get(c) for c in m.columns)

    def read(self, child: etree._Element, ref: str) -> None:
        pending: list[tuple[str, tuple[Any, ...], Leaves, str]] = []
        person: Leaves = {}
        episodes: list[etree._Element] = []
        for part in child:
            if part.tag == "ChildIdentifiers":
                person.update(_leaves(part))
            elif part.tag == "ChildCharacteristics":
                for leaf in part:
                    if leaf.tag == "Disabilities":
                        pending += [
                            (
                                "Disability",
                                (f"{ref}/D{i}",),
                                {"Disability": d.text},
                                f"{ref}/Disability[{i}]",
                            )
                            for i, d in enumerate(leaf, 1)
                        ]
                    else:
                        person[leaf.tag] = leaf.text
            elif part.tag == "CINdetails":
                episodes.append(part)
            else:
                person[part.tag] = part.text
        self.sex_elements.update(k for k in ("GenderCurrent", "Sex") if k in person)
        child_id = (person.get("LAchildID") or "").strip()
        for n, episode in enumerate(episodes, 1):
            pending += self._episode(episode, child_id, n, f"{ref}/CINdetails[{n}]")
        pending.insert(0, ("Child", (), person, ref))
        for kind, _, _, _ in pending:
            self.load.records[kind] += 1
        if not child_id:
            for kind, _, leaves, where in pending:
                self.load.quarantine(
                    kind,
                    self.maps[kind].table,
                    where,
                    "the child has no LAchildID (N00097), so its records cannot be linked",
                    leaves,
                )
            return
        for kind, keys, leaves, where in pending:
            m = self.maps[kind]
            full_keys = (child_id, *keys) if m.keys else ()
            self.load.writer(kind, m.table, m.columns).add(
                self.row(m, full_keys, leaves, where), where
            )

    def _episode(
        self, episode: etree._Element, child_id: str, n: int, ref: str
    ) -> list[tuple[str, tuple[Any, ...], Leaves, str]]:
        referral_id = f"{child_id}/CIN{n}"
        details: Leaves = {}
        out: list[tuple[str, tuple[Any, ...], Leaves, str]] = []
        counters: dict[str, int] = {}
        for part in episode:
            tag = part.tag
            if len(part) == 0 and tag not in self.maps:
                details[tag] = part.text
                continue
            i = counters[tag] = counters.get(tag, 0) + 1
            where = f"{ref}/{tag}[{i}]"
            if tag == "Assessments":
                out += self._assessment(part, child_id, referral_id, f"{referral_id}/A{i}", where)
            elif tag == "ChildProtectionPlans":
                out += self._cp_plan(part, child_id, referral_id, f"{referral_id}/CPP{i}", where)
            elif tag in self.maps:
                own_id = f"{referral_id}/{tag}{i}"
                out.append((tag, (referral_id, own_id), _leaves(part), where))
            else:
                details[tag] = etree.tostring(part, encoding="unicode")
        out.insert(0, ("CINdetails", (referral_id,), details, ref))
        return out

    def _assessment(
        self, el: etree._Element, child_id: str, referral_id: str, own_id: str, ref: str
    ) -> list[tuple[str, tuple[Any, ...], Leaves, str]]:
        leaves: Leaves = {}
        factors: list[tuple[str, tuple[Any, ...], Leaves, str]] = []
        for part in el:
            if part.tag == "FactorsIdentifiedAtAssessment":
                factors += [
                    (
                        "AssessmentFactors",
                        (own_id, f"{own_id}/F{i}"),
                        {"AssessmentFactors": f.text},
                        f"{ref}/AssessmentFactors[{i}]",
                    )
                    for i, f in enumerate(part, 1)
                ]
            else:
                leaves[part.tag] = part.text
        return [("Assessments", (referral_id, own_id), leaves, ref), *factors]

    def _cp_plan(
        self, el: etree._Element, child_id: str, referral_id: str, own_id: str, ref: str
    ) -> list[tuple[str, tuple[Any, ...], Leaves, str]]:
        leaves: Leaves = {}
        reviews: list[tuple[str, tuple[Any, ...], Leaves, str]] = []
        for part in el:
            if part.tag == "Reviews":
                reviews += [
                    (
                        "CPPreviewDate",
                        (own_id, f"{own_id}/R{i}"),
                        {"CPPreviewDate": r.text},
                        f"{ref}/CPPreviewDate[{i}]",
                    )
                    for i, r in enumerate(part, 1)
                ]
            else:
                leaves[part.tag] = part.text
        return [("ChildProtectionPlans", (referral_id, own_id), leaves, ref), *reviews]


def read_cin_xml(
    path: Path, load: FileLoad, on_bytes: Callable[[int], None] | None = None
) -> CinHeader:
    """Stream a CIN census file into `load`; return what its header says."""
    header = CinHeader()
    reader = _ChildReader(load)
    n = 0
    with path.open("rb") as raw:
        try:
            for _, el in safe_iterparse(CountingReader(raw, on_bytes), ("Header", "Child")):
                if el.tag == "Header":
                    header = _header(el)
                    if header.collection and header.collection.strip().upper() != "CIN":
                        raise HeadwayError(
                            f"{path.name} is a '{header.collection}' collection file, "
                            "not the CIN census.",
                            "Check you picked the right file.",
                        )
                    continue
                n += 1
                reader.read(el, f"Child[{n}]")
                el.clear()
                parent = el.getparent()
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            raise syntax_error(path, exc) from exc
    if n == 0:
        raise HeadwayError(
            f"{path.name} is a CIN census file with no Child records.",
            "Check the export finished; an empty return cannot be loaded.",
        )
    header.sex_element = "/".join(sorted(reader.sex_elements)) or None
    return header
