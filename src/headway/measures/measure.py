"""What a measure is, to the engines: SQL over the standard model plus the words around it.

The pack loader (headway.packs) has its own pydantic Measure; anything with these read-only
attributes works here (MeasureLike), so the engines never depend on how a pack was read.
The SQL contract the engines enforce is in docs/measures.md; headway.measures.contract checks
the parts of it that can be checked without running the SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class MeasureLike(Protocol):
    """A measure as the engines need it (headway.packs' Measure has these attributes)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def definition(self) -> str: ...

    @property
    def unit(self) -> str: ...  # percent | count | days | rate-per-10000 | share

    @property
    def period(self) -> str: ...  # e.g. collection-year

    @property
    def sql(self) -> str: ...

    @property
    def items(self) -> Sequence[str]: ...  # standard-model columns, table.column


@dataclass(frozen=True)
class Measure:
    """A plain measure: for tests, benchmarks and callers that have no pack."""

    id: str
    title: str
    definition: str
    unit: str
    period: str
    sql: str
    items: Sequence[str] = field(default_factory=tuple)
