"""Inspection mode: an inspection's burst of requests, planned day by day.

During an inspection the team's desk time goes to the inspectors: each day's asks are
planned on the team's hours that day, a request a match says is already answered by an
existing output at the time to run and check that output, everything else at its estimate.
The day-by-day table shows what arrives, what is already answerable, the hours asked
against the hours the team has, and what is late.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.desk.plan import Analyst, Plan, make_plan
from headway.desk.planning import ANSWERED_HOURS, PlannedRequest, jobs, planned_requests
from headway.desk.priority import Weights
from headway.desk.store import Desk
from headway.errors import HeadwayError

TIME_LIMIT = 2.0


def working_days(start: date, days: int) -> list[date]:
    out: list[date] = []
    day = start
    while len(out) < days:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def hours_on(analysts: Sequence[Analyst], day: date) -> float:
    """The team's desk hours on one day: a fifth of each week, none at weekends or on leave."""
    if day.weekday() >= 5:
        return 0.0
    return sum(
        a.hours_per_week / 5
        for a in analysts
        if not any(first <= day <= last for first, last in a.leave)
    )


@dataclass(frozen=True)
class Day:
    day: date
    asked: int
    answerable: int  # already answered by an existing output
    hours_asked: float
    hours_available: float
    finished: int
    late: int  # finished this day after their due date

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class InspectionPlan:
    start: date
    days: list[Day]
    plan: Plan
    planned: list[PlannedRequest]

    @property
    def late(self) -> int:
        return len(self.plan.slips())

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "requests": len(self.planned),
            "answerable_from_existing_outputs": sum(d.answerable for d in self.days),
            "late": self.late,
            "days": [d.to_json() for d in self.days],
            "plan": self.plan.to_json(),
        }

    def render(self, console: Console) -> None:
        t = Table("Day", "Asked", "Already answerable", "Hours asked", "Team hours",
                  "Finished", "Late", title="Inspection, day by day")  # fmt: skip
        for d in self.days:
            t.add_row(f"{d.day:%a %d %b}", str(d.asked), str(d.answerable), f"{d.hours_asked:g}",
                      f"{d.hours_available:g}", str(d.finished), str(d.late))  # fmt: skip
        console.print(t)
        answerable = sum(d.answerable for d in self.days)
        console.print(
            f"{len(self.planned)} inspection requests, {answerable} answered from existing "
            f"outputs at {ANSWERED_HOURS:g} h each; {self.late} late."
        )
        for s in self.plan.slips():
            console.print(f"  late: #{s.job.id} {escape(s.job.title)} (due {s.job.due}, "
                          f"finished {s.finish or 'not in the window'})")  # fmt: skip


def plan_inspection(
    desk: Desk, analysts: Sequence[Analyst], start: date, days: int, weights: Weights
) -> InspectionPlan:
    window = working_days(start, days)
    chosen = [r for r in desk.open_requests() if r.inspection and start <= r.received <= window[-1]]
    if not chosen:
        raise HeadwayError(
            f"No open inspection requests received between {start} and {window[-1]}.",
            "Import the inspectors' log with --log FILE, or check --start.",
        )
    planned = planned_requests(desk, start, weights, chosen)
    weeks = math.ceil((window[-1] - start).days / 7) + 2  # room to show what runs over
    plan = make_plan(jobs(planned), analysts, start, weeks, TIME_LIMIT)
    finished = {s.job.id: s for s in plan.scheduled}
    rows = []
    for day in window:
        arrived = [p for p in planned if p.request.received == day]
        done = [s for s in finished.values() if s.finish == day]
        rows.append(
            Day(
                day=day,
                asked=len(arrived),
                answerable=sum(1 for p in arrived if p.hours_basis.startswith("answered")),
                hours_asked=round(sum(p.hours for p in arrived), 1),
                hours_available=round(hours_on(analysts, day), 1),
                finished=len(done),
                late=sum(1 for s in done if s.late_days > 0),
            )
        )
    return InspectionPlan(start, rows, plan, planned)
