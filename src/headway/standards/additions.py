"""Headway's documented additions to the standards (additions.yaml), and applying them.

A CIN census version after the last real XSD is read from the derived XSD
(headway.standards.cin_schema); its additions only record the basis and the note. An
SSDA903 version after the last real spec is the last real spec with the additions' code and
table operations applied in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from headway.standards import ssda903_spec
from headway.standards.spec import BASES, Addition, Code, Facts


@dataclass(frozen=True)
class Step:
    """One addition and the operations it makes (none for the CIN census)."""

    addition: Addition
    set_codes: Mapping[str, tuple[Code, ...]]
    add_codes: Mapping[str, tuple[Code, ...]]
    remove_codes: Mapping[str, tuple[str, ...]]
    add_table: Mapping[str, Any] | None


@dataclass(frozen=True)
class Plan:
    """How a standard's versions after the last reference file are made."""

    derived_from: str
    versions: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def additions(self) -> tuple[Addition, ...]:
        return tuple(s.addition for s in self.steps)

    def steps_to(self, version: str) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if int(s.addition.version) <= int(version))


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"additions.yaml: {where} must be a quoted string, not {value!r}")
    return value


def _codes(values: Any, where: str) -> tuple[Code, ...]:
    out = []
    for v in values:
        label = v.get("label")
        out.append(Code(_string(v["code"], where), None if label is None else str(label)))
    return tuple(out)


def _targets(body: Mapping[str, Any], step: Step) -> tuple[str, ...]:
    found: list[str] = list(body.get("targets", ()))
    for item, codes in (*step.set_codes.items(), *step.add_codes.items()):
        found += [item] + [f"{item}#{c.code}" for c in codes]
    for item, removed in step.remove_codes.items():
        found += [f"{item}#{c}" for c in removed]
    if step.add_table is not None:
        found.append(ssda903_spec.table_id(step.add_table["name"]))
    return tuple(dict.fromkeys(found))


def _step(body: Mapping[str, Any]) -> Step:
    version = _string(body["version"], "version")
    basis = body["basis"]
    if basis not in BASES[1:]:
        raise ValueError(f"additions.yaml: basis must be published or inferred, not {basis!r}")
    step = Step(
        Addition(version, basis, " ".join(str(body["note"]).split()), ()),
        {k: _codes(v, k) for k, v in (body.get("set_codes") or {}).items()},
        {k: _codes(v, k) for k, v in (body.get("add_codes") or {}).items()},
        {k: tuple(_string(c, k) for c in v) for k, v in (body.get("remove_codes") or {}).items()},
        body.get("add_table"),
    )
    return replace(step, addition=replace(step.addition, targets=_targets(body, step)))


@cache
def plans() -> dict[str, Plan]:
    """The additions of each standard that has any, by standard id."""
    text = resources.files("headway.standards").joinpath("additions.yaml").read_text("utf-8")
    out: dict[str, Plan] = {}
    for standard, body in yaml.safe_load(text).items():
        versions = tuple(_string(v, f"{standard}.versions") for v in body["versions"])
        steps = tuple(_step(s) for s in body["additions"])
        out[standard] = Plan(_string(body["derived_from"], "derived_from"), versions, steps)
    return out


def _recoded(facts: Facts, step: Step, item: str) -> Facts:
    codes = list(facts.codes or ())
    if item in step.set_codes:
        codes = list(step.set_codes[item])
    removed = set(step.remove_codes.get(item, ()))
    codes = [c for c in codes if c.code not in removed]
    codes += [c for c in step.add_codes.get(item, ()) if c.code not in {x.code for x in codes}]
    return replace(facts, codes=tuple(codes))


def apply_903(base: Mapping[str, Facts], plan: Plan, version: str) -> dict[str, Facts]:
    """The SSDA903 facts of a derived `version`: the base with every step up to it applied."""
    out = dict(base)
    for step in plan.steps_to(version):
        items = {*step.set_codes, *step.add_codes, *step.remove_codes}
        missing = sorted(items - set(out))
        if missing:
            raise ValueError(f"additions.yaml names SSDA903 items that do not exist: {missing}")
        for item in sorted(items):
            out[item] = _recoded(out[item], step, item)
        if step.add_table is not None:
            table = step.add_table
            out.update(ssda903_spec.snapshot({"column_map": {table["name"]: table["columns"]}}))
    return out
