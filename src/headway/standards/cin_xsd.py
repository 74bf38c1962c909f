"""Read CIN census XSDs into catalogue facts, one snapshot per collection year.

Every element with element content is a block (CINdetails, CINPlanDates, the Disabilities
wrapper ...); every element with simple content is an item. An item's id is its DfE item
code where Headway knows it (cin_census:N00100), else its element name (cin_census:LEA), and
Block.Element where that name sits in more than one block of any year. An item that sits in
two blocks with one item code (DateOfInitialCPC, N00110, in CINdetails and in Section47) is
one entry with two paths. Blocks are cin_census:BlockName.

The XSDs carry no definitions for elements, only labels for codes; an element annotation,
if a future XSD has one, becomes the definition.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from lxml import etree

from headway.standards.spec import Code, Facts

STANDARD = "cin_census"
XS = "http://www.w3.org/2001/XMLSchema"
_FACETS = ("pattern", "minLength", "maxLength", "length", "totalDigits", "minInclusive")


def _q(tag: str) -> str:
    return f"{{{XS}}}{tag}"


def _text(el: etree._Element | None) -> str | None:
    """The documentation text under an annotated element, whitespace collapsed."""
    if el is None:
        return None
    doc = el.find(f"{_q('annotation')}/{_q('documentation')}")
    if doc is None or not (doc.text or "").strip():
        return None
    return re.sub(r"\s+", " ", doc.text or "").strip()


def parse(text: str) -> etree._Element:
    """Parse XSD text with entities and network access refused."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(text.encode("utf-8"), parser)


@dataclass(frozen=True)
class _Leaf:
    """An element as found at one place in one year, before ids are given."""

    path: tuple[str, ...]  # element names from the root
    block: str | None  # the name of the nearest enclosing block
    facts: Facts


class _Schema:
    """One XSD's named types, and a walk over its elements."""

    def __init__(self, root: etree._Element) -> None:
        if root.tag != _q("schema"):
            raise ValueError("not an XML schema")
        self.root = root
        self.complex = {el.get("name"): el for el in root.findall(_q("complexType"))}
        self.simple = {el.get("name"): el for el in root.findall(_q("simpleType"))}

    def walk(self) -> Iterator[_Leaf]:
        for top in self.root.findall(_q("element")):
            yield from self._element(top, (), None)

    def _element(
        self, decl: etree._Element, parent: tuple[str, ...], block: str | None
    ) -> Iterator[_Leaf]:
        name = decl.get("name") or ""
        path = (*parent, name)
        low = int(decl.get("minOccurs", "1"))
        high = decl.get("maxOccurs", "1")
        base = Facts(
            kind="item",
            name=name,
            definition=_text(decl),
            required=low >= 1,
            cardinality=f"{low}..{high}",
            paths=("/".join(path),),
        )
        type_name = decl.get("type")
        content = self.complex.get(type_name or "")
        if content is None:
            content = decl.find(_q("complexType"))
        if content is not None:
            yield _Leaf(path, block, replace(base, kind="block", type=type_name))
            for child in _child_elements(content):
                yield from self._element(child, path, name)
            return
        type_, format_, codes = self._simple_type(decl)
        yield _Leaf(path, block, replace(base, type=type_, format=format_, codes=codes))

    def _simple_type(
        self, decl: etree._Element
    ) -> tuple[str | None, str | None, tuple[Code, ...] | None]:
        type_name = decl.get("type")
        if type_name is None:
            inline = decl.find(_q("simpleType"))
            if inline is None:
                return None, None, None
            base, format_, codes = self._restriction(inline)
            return f"restriction of {base}", format_, codes
        named = self.simple.get(type_name)
        if named is None:
            return type_name, None, None
        _base, format_, codes = self._restriction(named)
        return type_name, format_, codes

    def _restriction(
        self, simple: etree._Element
    ) -> tuple[str, str | None, tuple[Code, ...] | None]:
        """(base, facets, codes) of a simpleType; codes and facets inherited from a named base."""
        restriction = simple.find(_q("restriction"))
        if restriction is None:
            return "xs:string", None, None
        base = restriction.get("base", "xs:string")
        codes = tuple(
            Code(str(e.get("value")), _text(e)) for e in restriction.findall(_q("enumeration"))
        )
        facets = [
            f"{facet} {f.get('value')}" for facet in _FACETS for f in restriction.findall(_q(facet))
        ]
        parent = self.simple.get(base)
        if parent is not None:
            _grand, parent_facets, parent_codes = self._restriction(parent)
            codes = codes or parent_codes or ()
            if parent_facets:
                facets.append(parent_facets)
        return base, "; ".join(facets) or None, codes or None


def _child_elements(content: etree._Element) -> Iterator[etree._Element]:
    """The element declarations of a complexType, through nested sequences and choices."""
    for child in content:
        if child.tag == _q("element"):
            yield child
        elif child.tag in (_q("sequence"), _q("choice"), _q("all")):
            yield from _child_elements(child)


def _qualified(leaves: list[_Leaf], item_codes: Mapping[str, str]) -> set[str]:
    """Uncoded item names found in more than one block in any year: these get Block.Name."""
    blocks: dict[str, set[str | None]] = defaultdict(set)
    for leaf in leaves:
        if leaf.facts.kind == "item" and leaf.facts.name not in item_codes:
            blocks[leaf.facts.name].add(leaf.block)
    return {name for name, found in blocks.items() if len(found) > 1}


def _id(leaf: _Leaf, item_codes: Mapping[str, str], qualified: set[str]) -> str:
    name = leaf.facts.name
    if leaf.facts.kind == "block":
        return f"{STANDARD}:{name}"
    if name in item_codes:
        return f"{STANDARD}:{item_codes[name]}"
    if name in qualified:
        return f"{STANDARD}:{leaf.block}.{name}"
    return f"{STANDARD}:{name}"


def _merge(old: Facts, new: Facts, entry_id: str) -> Facts:
    """One item found at two places in one year (one item code): one entry, two paths."""
    for name in ("kind", "name", "type", "format", "codes", "definition"):
        if getattr(old, name) != getattr(new, name):
            raise ValueError(f"{entry_id} differs in {name} between {old.paths} and {new.paths}")
    cards = tuple(dict.fromkeys((*(old.cardinality or "").split(", "), new.cardinality or "")))
    return replace(
        old,
        required=bool(old.required or new.required),
        cardinality=", ".join(c for c in cards if c),
        within=tuple(dict.fromkeys((*old.within, *new.within))),
        paths=(*old.paths, *new.paths),
    )


def snapshots(
    texts: Mapping[str, str], item_codes: Mapping[str, str]
) -> dict[str, dict[str, Facts]]:
    """Facts by entry id for each version, from the XSD text of each version.

    `item_codes` maps element names to DfE item codes (from Headway's mappings)."""
    walked = {version: list(_Schema(parse(text)).walk()) for version, text in texts.items()}
    qualified = _qualified([leaf for leaves in walked.values() for leaf in leaves], item_codes)
    out: dict[str, dict[str, Facts]] = {}
    for version, leaves in walked.items():
        snap: dict[str, Facts] = {}
        for leaf in leaves:
            entry_id = _id(leaf, item_codes, qualified)
            within = (f"{STANDARD}:{leaf.block}",) if leaf.block else ()
            code = item_codes.get(leaf.facts.name) if leaf.facts.kind == "item" else None
            facts = replace(leaf.facts, within=within, item_code=code)
            snap[entry_id] = _merge(snap[entry_id], facts, entry_id) if entry_id in snap else facts
        out[version] = snap
    return out
