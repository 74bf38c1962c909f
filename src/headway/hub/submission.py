"""What an LA sends the hub: one aggregate submission per period, and its strict schema.

Built from the workspace and the desk: readiness per adopted pack and requirement (a status
and an effort estimate, never a count of children), data quality per statutory item as
shares (an item with fewer than MIN_ROWS rows is shown as "c"), desk load as counts of
requests by source and lateness (disclosure-controlled before it leaves), and the LA's
deliberation votes. No child-level value, and no identifier of a child, is ever read into
it: `headway submit --dry-run --json` prints exactly what would leave.

The schema forbids any field it does not name, so the hub refuses a payload that carries
anything else, and the hub also scans every payload for child-level field names.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SCHEMA: Literal["headway.submission/1"] = "headway.submission/1"
MIN_ROWS = 10  # a share over fewer rows than this is not published ("c")

Code = Annotated[
    str, StringConstraints(pattern=r"^([2-9][0-9]{2}|E(06|08|09|10)[0-9]{6}|SYN[0-9]{3,4})$")
]
Quarter = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}Q[1-4]$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Count = int | Literal["c"]
Share = Annotated[float, Field(ge=0, le=1)] | Literal["c"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RequirementStatus(Strict):
    id: Name
    status: Literal["ready", "at risk", "gap"]
    effort_hours: Annotated[float, Field(ge=0, le=10_000)]


class PackStatus(Strict):
    pack: Name
    version: Name
    score: Annotated[float, Field(ge=0, le=100)]
    requirements: list[RequirementStatus] = Field(max_length=500)


class ItemQuality(Strict):
    item: Name  # a statutory item reference, e.g. N00103
    completeness: Share
    invalid: Share


class DeskLoad(Strict):
    """Open requests by source (rows), on time and overdue (columns), with totals, after
    disclosure control: counts of 1 to 5 and what would reveal them are "c"."""

    requests: dict[Name, dict[Name, Count]]


class VoteOut(Strict):
    statement: Annotated[int, Field(ge=1)]
    value: Literal[-1, 0, 1]


class SubmissionPayload(Strict):
    schema_name: Literal["headway.submission/1"] = Field(SCHEMA, alias="schema")
    la_code: Code
    period: Quarter
    generated: datetime = Field(default_factory=lambda: datetime.now(UTC))
    readiness: list[PackStatus] = Field(max_length=100)
    quality: list[ItemQuality] = Field(max_length=5000)
    desk: DeskLoad | None = None
    votes: list[VoteOut] = Field(default_factory=list, max_length=1000)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
