"""Priority: a transparent score for each request, each factor's contribution shown.

score = statutory + inspection + urgency + cost of delay + children affected + requester
level, in points. Urgency grows as the due date nears (full points when due today or
overdue, none at `urgency_days` or more ahead, none without a due date); children affected
count on a log scale (10 children is not ten times less urgent than 100). The weights are
the team's to set: a YAML file with any of the fields of `Weights` overrides the defaults.
The planner uses 1 + score / 10 as a request's weight, so no request weighs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from headway.desk.model import Request
from headway.errors import HeadwayError


@dataclass(frozen=True)
class Weights:
    statutory: float = 30.0
    inspection: float = 40.0
    urgency: float = 30.0
    urgency_days: int = 90
    children: float = 5.0  # points per tenfold children affected
    children_cap: float = 15.0
    cost_of_delay: dict[str, float] = field(
        default_factory=lambda: {"none": 0.0, "low": 5.0, "medium": 12.0, "high": 25.0}
    )
    level: dict[str, float] = field(
        default_factory=lambda: {
            "team": 0.0,
            "manager": 5.0,
            "head of service": 10.0,
            "director": 15.0,
            "inspector": 15.0,
            "national": 10.0,
        }
    )


PRIORITY_FILE = "desk-priority.yaml"  # a workspace's own weights, if the team has set them


def workspace_weights(folder: Path | None, path: Path | None = None) -> Weights:
    """The weights in `path`, else the workspace's desk-priority.yaml, else the defaults."""
    return load_weights(path or (folder / PRIORITY_FILE if folder else None))


def load_weights(path: Path | None) -> Weights:
    """The default weights, with any the team has set in a YAML file."""
    if path is None or not path.exists():
        return Weights()
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise HeadwayError(
            f"{path.name} is not a YAML file of priority weights ({exc}).",
            "Check the file; see docs/desk.md for the weights and their defaults.",
        ) from None
    known = {f.name for f in fields(Weights)}
    if not isinstance(data, dict) or set(data) - known:
        extra = sorted(set(data) - known) if isinstance(data, dict) else []
        raise HeadwayError(
            f"{path.name} has settings that are not priority weights: {', '.join(extra)}.",
            f"Use any of: {', '.join(sorted(known))}.",
        )
    defaults = Weights()
    for name in ("cost_of_delay", "level"):
        if name in data:
            data[name] = {**getattr(defaults, name), **data[name]}
    try:
        return Weights(**data)
    except TypeError as exc:
        raise HeadwayError(f"{path.name}: {exc}", "") from None


@dataclass(frozen=True)
class Factor:
    name: str
    value: str
    points: float


@dataclass(frozen=True)
class Priority:
    score: float
    factors: tuple[Factor, ...]

    @property
    def weight(self) -> float:
        return 1.0 + self.score / 10.0

    def explain(self) -> str:
        return ", ".join(f"{f.name} {f.points:+g}" for f in self.factors if f.points)

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "weight": round(self.weight, 2),
            "factors": [
                {"factor": f.name, "value": f.value, "points": f.points} for f in self.factors
            ],
        }


def _urgency(due: date | None, today: date, w: Weights) -> Factor:
    if due is None:
        return Factor("urgency", "no due date", 0.0)
    days = (due - today).days
    share = min(1.0, max(0.0, 1 - days / w.urgency_days))
    value = f"overdue by {-days} days" if days < 0 else f"due in {days} days"
    return Factor("urgency", value, round(w.urgency * share, 1))


def priority(r: Request, today: date, w: Weights) -> Priority:
    children = r.children_affected
    factors = (
        Factor("statutory", "yes" if r.statutory else "no", w.statutory if r.statutory else 0.0),
        Factor(
            "inspection", "yes" if r.inspection else "no", w.inspection if r.inspection else 0.0
        ),
        _urgency(r.due, today, w),
        Factor("cost of delay", r.cost_of_delay, w.cost_of_delay.get(r.cost_of_delay, 0.0)),
        Factor(
            "children affected",
            "unknown" if children is None else f"{children:,}",
            0.0
            if not children
            else round(min(w.children_cap, w.children * math.log10(1 + children)), 1),
        ),
        Factor("requester level", r.requester_level, w.level.get(r.requester_level, 0.0)),
    )
    return Priority(round(sum(f.points for f in factors), 1), factors)
