"""The desk's open requests and team, turned into the planner's jobs and analysts.

A request without an effort estimate is planned at a default by where it came from
(an inspector's ask is usually a list or a count from data the LA holds; a programme's
requirement is usually a build), and the plan says it used that default. A request from a
person (an inspector, a leader, a programme lead) whose best match is an output or
measure the LA already runs, or an earlier request already done, is planned at the time
to run, check and send that answer. Work generated from packs and diffs is never taken
as already answered: readiness has already judged it not ready.

A request with no due date is planned as due 13 weeks after it was received: a plan that
minimises lateness would otherwise leave it to wait for ever, since it could never be late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from headway.desk.model import Match, Request
from headway.desk.plan import Analyst, Job
from headway.desk.priority import Priority, Weights, priority
from headway.desk.store import Desk

DEFAULT_HOURS = {
    "inspector": 3.0,
    "service leader": 4.0,
    "national programme": 16.0,
    "pack requirement": 16.0,
    "pack diff": 8.0,
    "standard diff": 8.0,
    "other": 4.0,
}
NO_DUE_DATE_DAYS = 91  # a request with no due date is planned as due 13 weeks after it came
ANSWERED_HOURS = 0.5  # run an existing output, check it, send it
ANSWERED_SCORE = 0.4  # from the labelled set: most right first answers score 0.4 or more


@dataclass(frozen=True)
class PlannedRequest:
    """A request with the hours and priority the plan used for it."""

    request: Request
    hours: float
    hours_basis: str  # estimate, default for its source, or answered by an existing output
    priority: Priority


ASKED_BY_PEOPLE = ("inspector", "service leader", "national programme", "other")


def answered_by(r: Request, best: Match | None, done: set[int]) -> str:
    """The existing answer to a request, or "" when it needs work."""
    if best is None or best.score < ANSWERED_SCORE or r.source not in ASKED_BY_PEOPLE:
        return ""
    if best.kind in ("output", "measure"):
        return best.title
    if best.kind == "request" and int(best.candidate.split(":")[1]) in done:
        return best.title
    return ""


def effort(r: Request, answer: str) -> tuple[float, str]:
    if answer:
        return ANSWERED_HOURS, f"answered by an existing output: {answer}"
    if r.effort_hours:
        return r.effort_hours, "estimate"
    return DEFAULT_HOURS[r.source], f"default for a {r.source} request"


def planned_requests(
    desk: Desk, today: date, weights: Weights, requests: Sequence[Request] | None = None
) -> list[PlannedRequest]:
    matches = desk.matches()
    done = {r.id for r in desk.requests(["done"])}
    out = []
    for r in desk.open_requests() if requests is None else requests:
        best = matches.get(r.id, [])
        hours, basis = effort(r, answered_by(r, best[0] if best else None, done))
        out.append(PlannedRequest(r, hours, basis, priority(r, today, weights)))
    return out


def jobs(planned: Sequence[PlannedRequest]) -> list[Job]:
    return [
        Job(
            id=p.request.id,
            title=p.request.title,
            hours=p.hours,
            weight=p.priority.weight,
            due=p.request.due or p.request.received + timedelta(days=NO_DUE_DATE_DAYS),
            received=p.request.received,
        )
        for p in planned
    ]


def team(desk: Desk) -> list[Analyst]:
    return [
        Analyst(a.name, a.hours_per_week, tuple((lv.first_day, lv.last_day) for lv in leave))
        for a, leave in desk.team()
    ]
