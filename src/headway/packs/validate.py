"""Validate a pack and say where each problem is: file, line and path, in plain words.

pack.yaml is composed with PyYAML into a node tree (which keeps every value's line), then
built into data and checked by the pydantic models (headway.packs.model). Each pydantic
error's location, e.g. ('requirements', 2, 'items', 0), is walked down the node tree to the
line it came from. Duplicate keys and YAML aliases are refused here, before pydantic sees
the data: PyYAML would silently keep the last duplicate, and aliases can multiply a small
file into a huge one. Each measure and output SQL file is then checked by sqlcheck.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.error import Mark
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from headway.errors import HeadwayError
from headway.packs import files as pack_files
from headway.packs.errors import PackError, sort_errors
from headway.packs.model import (
    ID_PATTERN,
    ITEM_PATTERN,
    MEASURE_FILE_PATTERN,
    OUTPUT_FILE_PATTERN,
    SECTION_MODELS,
    URL_PATTERN,
    Pack,
    Strict,
    reference_problems,
    suggest,
)
from headway.packs.sqlcheck import Kind, check_sql

YAML_NAME = "pack.yaml"
PATTERN_WORDS = {
    ID_PATTERN: "is not a valid id: use lowercase letters, digits and hyphens",
    ITEM_PATTERN: "is not a standard-model column written table.column",
    MEASURE_FILE_PATTERN: "should be measures/<name>.sql",
    OUTPUT_FILE_PATTERN: "should be outputs/<name>.sql",
    URL_PATTERN: "is not a web address: start it with https://",
}


class _Loader(yaml.SafeLoader):
    """The safe loader, except that an impossible date (2026-02-30) stays text for the model
    to report with its line, instead of stopping the whole read; and it notes where each
    alias (*name) is used, so that they can be refused."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_marks: list[Mark] = []

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            self.alias_marks.append(event.start_mark)
        return super().compose_node(parent, index)


def _timestamp(loader: _Loader, node: ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@dataclass
class Checked:
    """The outcome of checking one pack: the pack when it is valid, else its errors."""

    pack: Pack | None
    errors: list[PackError] = field(default_factory=list)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _path(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _yaml_error(e: yaml.YAMLError) -> PackError:
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    words = f"{context}, {problem}" if context else problem
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return PackError(YAML_NAME, line, column, "", f"is not valid YAML: {words}")


def _children(node: Node) -> Iterator[tuple[str | int, Node, Node | None]]:
    """(key or index, child node, key node) of a mapping or sequence node."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield (key.value if isinstance(key, ScalarNode) else "?"), value, key
    elif isinstance(node, SequenceNode):
        for index, value in enumerate(node.value):
            yield index, value, None


def _duplicate_keys(root: Node) -> list[PackError]:
    errors: list[PackError] = []
    stack: list[tuple[Node, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        keys: set[str | int] = set()
        for key, child, key_node in _children(node):
            if key_node is not None and key in keys:
                line, column = _mark(key_node)
                message = f"duplicate key '{key}': give each field once"
                errors.append(PackError(YAML_NAME, line, column, _path(loc), message))
            keys.add(key)
            stack.append((child, (*loc, key)))
    return errors


def _alias_error(mark: Mark) -> PackError:
    message = "uses a YAML alias (*name): write the value out in full"
    return PackError(YAML_NAME, mark.line + 1, mark.column + 1, "", message)


def _read_yaml(text: str) -> tuple[Node | None, object, list[PackError]]:
    """The node tree and the data of pack.yaml, or the errors that stop the read.

    Aliases stop the read before any data is built: they can make a small file huge.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None, [PackError(YAML_NAME, 1, 1, "", "is empty")]
        if loader.alias_marks:
            return None, None, [_alias_error(mark) for mark in loader.alias_marks]
        return root, loader.construct_document(root), _duplicate_keys(root)
    except yaml.YAMLError as e:
        return None, None, [_yaml_error(e)]
    except RecursionError:
        return None, None, [PackError(YAML_NAME, None, None, "", "is nested too deeply")]
    finally:
        loader.dispose()


def _find(root: Node, loc: Sequence[str | int], key: bool = False) -> Node:
    """The deepest node along `loc`; with key=True, the key node of the last step."""
    node = root
    for step, part in enumerate(loc):
        for name, child, key_node in _children(node):
            if name == part:
                last = step == len(loc) - 1
                node = key_node if (key and last and key_node is not None) else child
                break
        else:
            return node
    return node


def _model_at(loc: Sequence[str | int]) -> type[Strict] | None:
    if not loc:
        return Pack
    if len(loc) == 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        return SECTION_MODELS.get(loc[0])
    return None


def _shown(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _words(error: ErrorDetails) -> str:
    """Pydantic's error, said for a person writing YAML."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "literal_error":
        return f"{_shown(value)} is not allowed: use {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return f"{_shown(value)} {PATTERN_WORDS.get(pattern, 'is not in the expected form')}"
    if kind == "string_type":
        quote = " (put it in quotes)" if isinstance(value, int | float | date) else ""
        return f"{_shown(value)} should be text{quote}"
    if kind in ("float_type", "float_parsing"):
        return f"{_shown(value)} should be a number"
    if kind == "greater_than_equal":
        return f"{_shown(value)} should be {ctx.get('ge')} or more"
    if kind in ("too_short", "string_too_short"):
        return "should not be empty" if kind == "string_too_short" else "should list at least one"
    if kind == "list_type":
        return f"should be a list, not {_shown(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "should be a set of fields (key: value)"
    if kind.startswith("date_"):
        return f"{_shown(value)} is not a date: write it as YYYY-MM-DD"
    if kind.startswith("pack_"):
        return error["msg"]
    message = error["msg"]
    return message[:1].lower() + message[1:]


def _pydantic_error(error: ErrorDetails, root: Node) -> PackError:
    loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
    kind = error["type"]
    if kind in ("missing", "extra_forbidden") and loc:
        parent, name = loc[:-1], str(loc[-1])
        node = _find(root, loc, key=True) if kind == "extra_forbidden" else _find(root, parent)
        if kind == "missing":
            message = f"missing field '{name}'"
        else:
            model = _model_at(parent)
            hint = suggest(name, model.model_fields) if model else ""
            message = f"unknown field '{name}'{hint}"
        line, column = _mark(node)
        return PackError(YAML_NAME, line, column, _path(parent), message)
    line, column = _mark(_find(root, loc))
    return PackError(YAML_NAME, line, column, _path(loc), _words(error))


def _reference_errors(
    data: Mapping[str, Any], root: Node, sql: Mapping[str, str]
) -> list[PackError]:
    errors = []
    for loc, message, _ in reference_problems(data, set(sql)):
        line, column = _mark(_find(root, loc))
        errors.append(PackError(YAML_NAME, line, column, _path(loc), message))
    return errors


def _sql_files(data: object, sql: Mapping[str, str]) -> dict[str, Kind]:
    """The SQL files pack.yaml names, and whether each is a measure or an output."""
    wanted: dict[str, Kind] = {}
    if not isinstance(data, Mapping):
        return wanted
    for section, kind in (("measures", "measure"), ("outputs", "output")):
        entries = data.get(section)
        for entry in entries if isinstance(entries, list) else []:
            name = entry.get("file") if isinstance(entry, Mapping) else None
            if isinstance(name, str) and name in sql:
                wanted.setdefault(name, kind)  # type: ignore[arg-type]
    return wanted


def _attach(pack: Pack, files: pack_files.PackFiles) -> Pack:
    for measure in pack.measures:
        measure._sql = files.sql[measure.file]
    for output in pack.outputs:
        output._sql = files.sql[output.file]
    pack._origin = files.origin
    return pack


def _engine_contract(name: str, sql: str) -> list[PackError]:
    """The measures engine's own contract check (headway.measures.contract), so a pack that
    validates is one the engine will run. Imported here, not at the top, because the engine
    may load packs itself; only reached when the line-numbered checks found nothing."""
    try:
        from headway.measures.contract import check_sql as engine_check
    except ImportError:
        return []
    return [PackError(name, None, None, "", problem) for problem in engine_check(sql)]


UNDECLARED = "is not the file of any measure or output in pack.yaml: declare it, or remove it"


def _sql_errors(data: object, sql: Mapping[str, str]) -> list[PackError]:
    declared = _sql_files(data, sql)
    errors: list[PackError] = []
    if isinstance(data, Mapping):
        errors += [
            PackError(name, None, None, "", UNDECLARED) for name in sql if name not in declared
        ]
    for name, kind in declared.items():
        found = check_sql(name, sql[name], kind)
        if not found and kind == "measure":
            found = _engine_contract(name, sql[name])
        errors += found
    return errors


def check(files: pack_files.PackFiles, sql: bool = True) -> Checked:
    """Check pack.yaml and (unless sql=False) its SQL; the pack, with its SQL attached, only
    if all is well. sql=False is for the shipped packs, whose SQL the tests check."""
    root, data, errors = _read_yaml(files.yaml_text)
    if root is None:
        return Checked(None, sort_errors(errors))
    pack: Pack | None = None
    try:
        pack = Pack.model_validate(data, context={"files": set(files.sql)})
    except ValidationError as e:
        errors += [_pydantic_error(error, root) for error in e.errors()]
        if isinstance(data, Mapping):
            errors += _reference_errors(data, root, files.sql)
    if sql:
        errors += _sql_errors(data, files.sql)
    if errors or pack is None:
        return Checked(None, sort_errors(errors))
    return Checked(_attach(pack, files), [])


def validate(ref: str | Path) -> list[PackError]:
    """Every problem of the pack at `ref` (shipped id, folder, pack.yaml or zip); [] if valid."""
    try:
        files = pack_files.read(ref)
    except HeadwayError as e:
        return [PackError(str(ref), None, None, "", str(e))]
    return check(files).errors
