"""Read Ofsted's ILACS Annex A lists into catalogue facts.

Each list is an entry (annex_a:List 3) and each column heading an item
(annex_a:List 3.Date of referral). The headings are those Headway reads (the annex_a section
of src/headway/ingest/mappings.yaml, which follows Ofsted's published template); the code
lists come from the reference data map (annex_a/data-map.yml), matched to a heading by its
name or one of the other spellings Headway accepts, ignoring case, spaces, punctuation and
any bracketed part. A data-map column that matches no heading is kept as an item of its own.
In the data map a code is the value as the template's drop-down gives it ("a) Male") and
its name is the value it is cleaned to ("M"): the first is the code, the second its label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from headway.standards.spec import Code, Facts

STANDARD = "annex_a"
# The lists' subjects (../shared/domain/statutory-data.md).
LIST_TITLES = {
    "List 1": "Contacts",
    "List 2": "Early help assessments",
    "List 3": "Referrals",
    "List 4": "Assessments",
    "List 5": "Section 47 enquiries and initial child protection conferences",
    "List 6": "Children in need",
    "List 7": "Child protection",
    "List 8": "Children in care",
    "List 9": "Care leavers",
    "List 10": "Adoption",
    "List 11": "Adopters",
}
DATA_MAP_ONLY = "In the reference data map only: Headway does not read this heading."

Heading = tuple[str, tuple[str, ...]]  # the heading and the other spellings Headway accepts


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _keys(heading: Heading) -> set[str]:
    names = (heading[0], *heading[1])
    return {_norm(n) for n in names} | {_norm(re.sub(r"\(.*?\)", "", n)) for n in names}


def _codes(values: Any, where: str) -> tuple[Code, ...]:
    if not isinstance(values, list):
        raise ValueError(f"data map {where}: expected a list of codes")
    return tuple(
        Code(str(v["code"]).strip(), None if v.get("name") is None else str(v["name"]).strip())
        for v in values
    )


def _item(list_name: str, heading: str, codes: tuple[Code, ...] | None) -> Facts:
    return Facts(
        kind="item",
        name=heading,
        codes=codes,
        within=(f"{STANDARD}:{list_name}",),
        paths=(f"{list_name}.{heading}",),
    )


def snapshot(
    data_map: Mapping[str, Any], headings: Mapping[str, Sequence[Heading]]
) -> dict[str, Facts]:
    """Facts by entry id from the parsed data map and Headway's headings for each list."""
    config = data_map.get("data_config")
    if not isinstance(config, dict):
        raise ValueError("the Annex A data map has a data_config of lists")
    out: dict[str, Facts] = {}
    for list_name in dict.fromkeys([*headings, *config]):
        out[f"{STANDARD}:{list_name}"] = Facts(
            kind="list", name=list_name, label=LIST_TITLES.get(list_name), paths=(list_name,)
        )
        coded = {str(k): v for k, v in (config.get(list_name) or {}).items()}
        used: set[str] = set()
        for heading in headings.get(list_name, ()):
            keys = _keys(heading)
            match = next((c for c in coded if c not in used and _norm(c) in keys), None)
            codes = None
            if match is not None:
                used.add(match)
                codes = _codes(coded[match], f"{list_name}.{match}")
            out[f"{STANDARD}:{list_name}.{heading[0]}"] = _item(list_name, heading[0], codes)
        for column, values in coded.items():
            if column not in used:
                facts = _item(list_name, column, _codes(values, f"{list_name}.{column}"))
                out[f"{STANDARD}:{list_name}.{column}"] = replace(facts, note=DATA_MAP_ONLY)
    return out
