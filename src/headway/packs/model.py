"""The programme pack as pydantic models: the one definition of what a pack may say.

A pack is `pack.yaml` plus `measures/*.sql` and `outputs/*.sql` (docs/packs.md). These models
are strict: an unknown field is an error, ids are lowercase-hyphen, dates are dates, every
`items` entry is a real standard-model column, and every reference (`source`, `component`,
`measure`, `output`, `file`) resolves inside the pack. The JSON Schema in
docs/pack.schema.json is generated from them (headway.packs.schema).

Cross-references are checked by `reference_problems`, which works on plain data so that
`headway pack validate` can report them even when other parts of the file are malformed.
The pack's file names are passed as validation context: `{"files": {"measures/x.sql", ...}}`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import InitErrorDetails, PydanticCustomError

from headway.model.schema import tables

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ITEM_PATTERN = r"^[a-z0-9_]+\.[a-z0-9_]+$"
MEASURE_FILE_PATTERN = r"^measures/[A-Za-z0-9_-]+\.sql$"
OUTPUT_FILE_PATTERN = r"^outputs/[A-Za-z0-9_-]+\.sql$"
URL_PATTERN = r"^https?://\S+$"
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Loc = tuple[str | int, ...]


def _custom(kind: str, message: str) -> PydanticCustomError:
    # The message goes in as context, so braces in pack text are never read as a template.
    return PydanticCustomError(kind, "{message}", {"message": message})


def suggest(value: str, choices: Collection[str], cutoff: float = 0.75) -> str:
    """' (did you mean 'x'?)' when one of `choices` is close to `value`, else ''."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _date_only(value: object) -> object:
    """Accept a YAML date or 'YYYY-MM-DD' text; refuse numbers and dates with a time."""
    if isinstance(value, datetime):
        raise _custom("pack_date", f"{value} has a time: write the date alone, as YYYY-MM-DD")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and DATE_TEXT.match(value):
        return value  # pydantic reads it, and refuses 2026-02-30
    raise _custom("pack_date", f"{value!r} is not a date: write it as YYYY-MM-DD")


def _real_column(ref: str) -> str:
    table_name, column_name = ref.split(".", 1)
    known = tables()
    if table_name not in known:
        hint = suggest(table_name, known)
        raise _custom(
            "pack_item",
            f"'{ref}' is not a standard-model column: there is no table '{table_name}'{hint}",
        )
    columns = known[table_name].column_names
    if column_name not in columns:
        hint = suggest(column_name, columns)
        hint = hint.replace("'", f"'{table_name}.", 1) if hint else ""
        raise _custom("pack_item", f"'{ref}' is not a standard-model column{hint}")
    return ref


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
ItemRef = Annotated[
    str,
    StringConstraints(pattern=ITEM_PATTERN),
    AfterValidator(_real_column),
    Field(description="A standard-model column, table.column (docs/standard-model.md)."),
]
PackDate = Annotated[date, BeforeValidator(_date_only)]
Text = Annotated[str, StringConstraints(min_length=1)]
Basis = Literal["published", "inferred"]
Level = Literal["required", "recommended"]
Frequency = Literal["annual", "quarterly", "monthly", "on-request", "once"]
CarriedBy = Literal["cin_census", "ssda903", "annex_a", "sen2", "ssd", "none"]
Unit = Literal["percent", "count", "days", "rate-per-10000", "share"]
Period = Literal["collection-year", "financial-year", "academic-year"]


def fail(title: str, problems: Sequence[tuple[Loc, str, object]]) -> ValidationError:
    """A ValidationError with one line per problem, each at its own location."""
    details = [
        InitErrorDetails(type=_custom("pack_reference", message), loc=loc, input=value)
        for loc, message, value in problems
    ]
    return ValidationError.from_exception_data(title, details)


class Strict(BaseModel):
    """Unknown fields are errors; models do not change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


BasisField = Annotated[
    Basis,
    Field(
        description="published: read from a cited source; inferred: Headway's reading, "
        "which every view marks as (inferred)."
    ),
]
SourceRef = Annotated[
    Id | None,
    Field(description="The id of a source of this pack; required when basis is published."),
]
PUBLISHED_CITES: JsonDict = {
    "if": {"properties": {"basis": {"const": "published"}}, "required": ["basis"]},
    "then": {"required": ["source"]},
}


class Fact(Strict):
    """Something the pack asserts about a programme: read from a source, or inferred.

    Subclasses declare `basis` and `source` themselves (so `id` comes first in the schema).
    """

    model_config = ConfigDict(json_schema_extra=PUBLISHED_CITES)

    @property
    def inferred(self) -> bool:
        return getattr(self, "basis", None) == "inferred"

    @model_validator(mode="after")
    def _published_cites(self) -> Self:
        if getattr(self, "basis", None) == "published" and getattr(self, "source", None) is None:
            message = "a published fact must cite a source (or say basis: inferred)"
            raise fail(type(self).__name__, [(("source",), message, None)])
        return self


class Source(Strict):
    id: Id
    title: Text
    url: Annotated[str, StringConstraints(pattern=URL_PATTERN)]
    published: PackDate | None = Field(default=None, description="Publication date.")


class Component(Strict):
    id: Id
    title: Text
    description: str = ""


class Expectation(Fact):
    """What the LA must or should do; evidenced by self-assessment."""

    id: Id
    title: Text
    description: str = ""
    component: Id | None = Field(default=None, description="The id of a component.")
    level: Level
    basis: BasisField
    source: SourceRef = None


class Milestone(Fact):
    id: Id
    title: Text
    date: PackDate
    description: str = ""
    basis: BasisField
    source: SourceRef = None


class Requirement(Fact):
    """A data ask: the items it needs, and the measure or output that answers it."""

    model_config = ConfigDict(
        json_schema_extra={
            **PUBLISHED_CITES,
            "oneOf": [{"required": ["measure"]}, {"required": ["output"]}],
        }
    )

    id: Id
    title: Text
    description: str = ""
    items: list[ItemRef] = Field(min_length=1)
    measure: Id | None = Field(default=None, description="A measure id (or give output).")
    output: Id | None = Field(default=None, description="An output id (or give measure).")
    frequency: Frequency
    due: PackDate | None = Field(default=None, description="When it is first due.")
    effort_hours: float = Field(ge=0, description="Default effort to build it, analyst hours.")
    carried_by: list[CarriedBy] = Field(
        min_length=1,
        description="Existing collections that already carry the items; [none] if none.",
    )
    basis: BasisField
    source: SourceRef = None

    @model_validator(mode="after")
    def _one_answer(self) -> Self:
        if self.measure is not None and self.output is not None:
            message = "give a measure or an output, not both"
            raise fail("Requirement", [(("output",), message, self.output)])
        if self.measure is None and self.output is None:
            raise fail("Requirement", [((), "needs a measure or an output", None)])
        if "none" in self.carried_by and len(self.carried_by) > 1:
            message = "'none' cannot be listed with collections that carry the items"
            raise fail("Requirement", [(("carried_by",), message, self.carried_by)])
        return self


class Measure(Fact):
    """SQL over the standard model returning period, value and optionally breakdown."""

    id: Id
    title: Text
    definition: Text
    unit: Unit
    period: Period
    file: Annotated[str, StringConstraints(pattern=MEASURE_FILE_PATTERN)]
    items: list[ItemRef] = Field(min_length=1)
    basis: Basis | None = Field(
        default=None,
        description="Optional: published if the programme itself names this measure, "
        "inferred if it is Headway's choice; shown as (inferred) when inferred.",
    )
    source: SourceRef = None
    _sql: str = PrivateAttr(default="")

    @property
    def sql(self) -> str:
        """The measure's SQL text, read when the pack was loaded."""
        return self._sql


class Output(Fact):
    """A list or return: one SELECT returning the list's columns in order."""

    id: Id
    title: Text
    file: Annotated[str, StringConstraints(pattern=OUTPUT_FILE_PATTERN)]
    description: str = ""
    basis: Basis | None = Field(
        default=None, description="Optional: published if the output is specified by a source."
    )
    source: SourceRef = None
    _sql: str = PrivateAttr(default="")

    @property
    def sql(self) -> str:
        """The output's SQL text, read when the pack was loaded."""
        return self._sql


SECTIONS = (
    "sources",
    "components",
    "expectations",
    "milestones",
    "requirements",
    "measures",
    "outputs",
)
SECTION_MODELS: Mapping[str, type[Strict]] = {
    "sources": Source,
    "components": Component,
    "expectations": Expectation,
    "milestones": Milestone,
    "requirements": Requirement,
    "measures": Measure,
    "outputs": Output,
}
# Which field of which section names an entry of which other section.
REFERENCES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "expectations": (("component", "components"), ("source", "sources")),
    "milestones": (("source", "sources"),),
    "requirements": (("measure", "measures"), ("output", "outputs"), ("source", "sources")),
    "measures": (("source", "sources"),),
    "outputs": (("source", "sources"),),
}
SINGULAR = {s: ("an " if s[0] in "aeiou" else "a ") + s[:-1] for s in SECTIONS}
T = TypeVar("T", bound=Strict)


class Pack(Strict):
    """A programme pack: one version of one programme, as data."""

    id: Id = Field(description="Unique pack id, e.g. families-first-2026-27.")
    programme: Id = Field(description="Shared by every version of one programme.")
    version: Text = Field(description='The version, as text: "2026-27".')
    title: Text
    owner: Text
    status: Literal["published", "draft"]
    summary: Text
    sources: list[Source] = Field(min_length=1)
    components: list[Component] = []
    expectations: list[Expectation] = []
    milestones: list[Milestone] = []
    requirements: list[Requirement] = []
    measures: list[Measure] = []
    outputs: list[Output] = []
    _origin: str = PrivateAttr(default="")

    @property
    def origin(self) -> str:
        """Where the pack was loaded from: 'library' or a folder or zip path."""
        return self._origin

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> Self:
        files = (info.context or {}).get("files")
        problems = reference_problems(self.model_dump(), files)
        if problems:
            raise fail("Pack", problems)
        return self

    def measure(self, measure_id: str) -> Measure:
        return _by_id(self.measures, measure_id, "measure")

    def output(self, output_id: str) -> Output:
        return _by_id(self.outputs, output_id, "output")

    def source(self, source_id: str) -> Source:
        return _by_id(self.sources, source_id, "source")

    def component(self, component_id: str) -> Component:
        return _by_id(self.components, component_id, "component")

    def entries(self, section: str) -> Sequence[Strict]:
        """The entries of one section, e.g. entries('requirements')."""
        if section not in SECTION_MODELS:
            raise KeyError(f"a pack has no section {section}")
        entries: Sequence[Strict] = getattr(self, section)
        return entries

    def inferred_facts(self) -> list[tuple[str, str, str]]:
        """(section, id, title) of everything marked basis: inferred."""
        found = []
        for section in SECTIONS:
            for entry in self.entries(section):
                if getattr(entry, "basis", None) == "inferred":
                    found.append((section, getattr(entry, "id", ""), getattr(entry, "title", "")))
        return found


def _by_id(entries: Sequence[T], wanted: str, kind: str) -> T:
    for entry in entries:
        if getattr(entry, "id", None) == wanted:
            return entry
    raise KeyError(f"this pack has no {kind} {wanted}")


def _entries(data: Mapping[str, Any], section: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    value = data.get(section)
    if isinstance(value, list):
        for index, entry in enumerate(value):
            if isinstance(entry, Mapping):
                yield index, entry


def _ids(data: Mapping[str, Any], section: str) -> list[str]:
    return [e["id"] for _, e in _entries(data, section) if isinstance(e.get("id"), str)]


def _duplicate_ids(data: Mapping[str, Any], section: str) -> Iterator[tuple[Loc, str, object]]:
    first: dict[str, int] = {}
    for index, entry in _entries(data, section):
        entry_id = entry.get("id")
        if not isinstance(entry_id, str):
            continue
        if entry_id in first:
            where = f"{section}[{first[entry_id]}]"
            yield (section, index, "id"), f"duplicate id '{entry_id}' (also {where})", entry_id
        else:
            first[entry_id] = index


def _dangling(data: Mapping[str, Any], section: str) -> Iterator[tuple[Loc, str, object]]:
    for field, target in REFERENCES.get(section, ()):
        known = _ids(data, target)
        for index, entry in _entries(data, section):
            value = entry.get(field)
            if isinstance(value, str) and value not in known:
                listed = ", ".join(known) if known else "none"
                message = (
                    f"'{value}' is not {SINGULAR[target]} of this pack{suggest(value, known)}"
                    f" ({target}: {listed})"
                )
                yield (section, index, field), message, value


def _missing_files(
    data: Mapping[str, Any], section: str, files: Collection[str]
) -> Iterator[tuple[Loc, str, object]]:
    for index, entry in _entries(data, section):
        name = entry.get("file")
        if isinstance(name, str) and name not in files:
            hint = suggest(name, files, cutoff=0.9)
            yield (section, index, "file"), f"{name} is not in the pack{hint}", name


def reference_problems(
    data: Mapping[str, Any], files: Collection[str] | None = None
) -> list[tuple[Loc, str, object]]:
    """Duplicate ids, references that resolve to nothing, and files the pack lacks.

    Works on plain data (what YAML gives), skipping whatever is malformed: those parts are
    the model's to report. `files` are the pack's SQL file names; None skips the file check.
    """
    problems: list[tuple[Loc, str, object]] = []
    for section in SECTIONS:
        problems += _duplicate_ids(data, section)
        problems += _dangling(data, section)
        if files is not None and section in ("measures", "outputs"):
            problems += _missing_files(data, section, files)
    return problems
