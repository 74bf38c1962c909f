"""The code lists of coded standard-model items, read from code_lists.yaml (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class CodeList:
    column: str  # the standard-model column the list applies to
    codes: tuple[str, ...]  # every valid code, in the order of the sources
    sources: tuple[str, ...]  # e.g. cin:ethnicitytype, 903:Header.ETHNIC
    other_sources: tuple[str, ...]  # where the `also` codes come from


def _strings(values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"code_lists.yaml: {where} must be a list of quoted strings")
    return tuple(values)


def _entry(column: str, body: Any) -> CodeList:
    if not isinstance(body, dict):
        raise ValueError(f"code_lists.yaml: {column} must be a mapping")
    codes = list(_strings(body.get("codes"), f"{column}.codes"))
    others: list[str] = []
    for extra in body.get("also") or []:
        codes += [c for c in _strings(extra.get("codes"), f"{column}.also") if c not in codes]
        others.append(str(extra.get("source", "")))
    return CodeList(column, tuple(codes), _strings(body.get("sources"), column), tuple(others))


@cache
def code_lists() -> dict[str, CodeList]:
    """Every code list, by standard-model column."""
    text = resources.files("headway.quality").joinpath("code_lists.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    return {str(column): _entry(str(column), body) for column, body in spec.items()}
