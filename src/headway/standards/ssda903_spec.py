"""Read an SSDA903 column spec (SSDA903_schema_YYYY.yml) into catalogue facts.

Each table is an entry (ssda903:Episodes) and each column an item (ssda903:Episodes.DECOM).
A column's type is the spec's kind (date, category, string, numeric) and its format the
value given with it (%d/%m/%Y, alphanumeric, integer); `canbeblank: no` makes it required.
Codes are stripped of stray spaces (the 2024 spec lists "PCCHAN "); the spec's `dictionary`
(spellings it cleans into codes) is a cleaning aid, not part of the standard, and is left out.

The spec calls the social worker table SocialWorker; Headway and its CSV reader call it
SWEpisodes, so the entry is ssda903:SWEpisodes with the alias SocialWorker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headway.standards.spec import Code, Facts

STANDARD = "ssda903"
TABLE_NAMES = {"SocialWorker": "SWEpisodes"}  # spec name -> Headway name
ALIASES = {headway: (spec,) for spec, headway in TABLE_NAMES.items()}
_KINDS = ("date", "category", "string", "numeric")


def table_id(table: str) -> str:
    return f"{STANDARD}:{TABLE_NAMES.get(table, table)}"


def _codes(values: Any, where: str) -> tuple[Code, ...]:
    if not isinstance(values, list):
        raise ValueError(f"{where}: category must be a list")
    out = []
    for value in values:
        label = value.get("name")
        out.append(Code(str(value["code"]).strip(), None if label is None else str(label)))
    return tuple(out)


def column_facts(table: str, column: str, spec: Mapping[str, Any]) -> Facts:
    """The facts of one column from its spec entry."""
    where = f"{table}.{column}"
    kinds = [k for k in _KINDS if k in spec]
    if len(kinds) != 1:
        raise ValueError(f"{where}: expected one of {_KINDS}, found {sorted(spec)}")
    kind = kinds[0]
    codes = _codes(spec[kind], where) if kind == "category" else None
    format_ = None if kind == "category" else str(spec[kind])
    required = None if "canbeblank" not in spec else not bool(spec["canbeblank"])
    name = TABLE_NAMES.get(table, table)
    return Facts(
        kind="item",
        name=column,
        type=kind,
        format=format_,
        codes=codes,
        required=required,
        within=(table_id(table),),
        paths=(f"{name}.{column}",),
    )


def snapshot(spec: Mapping[str, Any]) -> dict[str, Facts]:
    """Facts by entry id for one year's spec (the parsed YAML)."""
    tables = spec.get("column_map")
    if not isinstance(tables, dict):
        raise ValueError("an SSDA903 spec has a column_map of tables")
    out: dict[str, Facts] = {}
    for table, columns in tables.items():
        name = TABLE_NAMES.get(str(table), str(table))
        out[table_id(table)] = Facts(kind="table", name=name, paths=(name,))
        for column, body in columns.items():
            out[f"{table_id(table)}.{column}"] = column_facts(table, column, body)
    return out
