"""The plan: the desk's open requests scheduled on the team's real capacity.

An overloaded desk is normal, so a plan never fails: it says what finishes when, what
misses its due date and by how many days, and what does not fit within the horizon at all.

The model
---------
- **Capacity.** Each analyst works `hours_per_week / 5` hours on each Monday to Friday of the
  horizon (`weeks` weeks from `start`) and nothing at weekends or on leave. Bank holidays
  are leave: add them to each analyst's leave.
- **One request at a time, by one analyst.** A request is done by one analyst, from start
  to finish without switching to another request (non-preemptive); it pauses over
  weekends and leave and carries on after. Each analyst therefore has their own clock of
  working minutes (minute 0 is the start of the horizon, the last is the end of their
  capacity), and a request of `h` hours occupies `60 h` consecutive minutes of it. The time
  grid is one minute: hours are rounded up to the minute, daily capacity to the nearest
  minute; otherwise the calendar is exact. Splitting a request between analysts is not
  modelled: it is rarely how a report gets written, and would flatter the plan.
- **Dates.** A request may start on its received date (or the plan start). It finishes on
  the working day its last minute is worked. Lateness is in calendar days after the due
  date. A request that cannot finish within the horizon is *beyond the horizon*: it has no
  analyst, and its lateness is the least it could be, `horizon end - due` (horizon end is
  the day after the horizon's last day), or 0 when due later or never.
- **Objective.** Weighted lateness: the sum of priority weight x days late, over all
  requests, beyond-horizon ones included.

The method
----------
1. Two greedy plans by list scheduling: whenever an analyst comes free, the best request
   already received goes to the analyst who can finish it first (a request received later
   waits for its date rather than holding an analyst idle). WSJF takes the highest weight
   per hour first; EDD the earliest due date first (requests without a due date last).
2. CP-SAT on the exact model above: per request and analyst an optional interval on that
   analyst's clock (start no earlier than the received date's minute, end within the
   horizon), one no-overlap constraint per analyst, and per request that can be late a
   finish day `F` (the horizon's length meaning beyond it) tied to the analyst's clock by
   an element constraint (`end <= minutes worked by the end of day F`), F taking only the
   days the request can finish on; lateness is `F - due`, every day up to the due date
   counting as the due date. Weights are scaled to integers, the largest to 10,000: the
   only rounding in the objective. The better greedy plan is the solution hint.
   - Up to `FULL_MODEL_PAIRS` request x analyst pairs (a desk of 30 requests for two
     analysts, say), CP-SAT gets the whole problem and usually proves its plan optimal.
   - Larger desks (2,000 requests x 5 analysts would be 10,000 optional intervals, and
     CP-SAT does not prove even 30 requests for one analyst optimal in seconds) are
     improved by large-neighbourhood search. Each step frees a few planned requests (a
     block starting close together on every analyst, a run of one analyst's requests, or
     requests scattered over the plan so that distant ones can swap), centred on a late
     request half the time, plus a sample of beyond-horizon requests weighted to those
     whose slipping costs most per hour; every other request stays where it is, and
     CP-SAT re-plans the freed ones within the stretches of time they took (or leaves them
     beyond the horizon), in at most `STEP_SECONDS`. The block grows while CP-SAT proves
     its steps optimal and shrinks when it cannot. Two steps on separate stretches of
     time run at once, one CP-SAT worker each. Each step is sound (the current plan is the
     hint and the rest is fixed, so nothing gets worse), but the result is not a proved
     optimum, and `method` says so.
3. Tidying, before the search and after each step: requests that cannot count as late
   (no due date, or due after the horizon) move to the end of the queue, every other
   request starts as early as its analyst's order allows, and requests beyond the horizon
   (heaviest slipping cost per hour first) and those that cannot be late then go at the
   end of an analyst's work where they fit. This never makes anything that can be late
   later. So a plan for an overloaded desk does requests without a due date last: give a
   request a due date if it must be done.

The plan returned is never worse than the better greedy plan: if CP-SAT found nothing
better, that greedy plan is returned. The search is seeded (`seed`); a run that ends on its
own (optimal) gives the same plan each time, but the search on a large desk stops at
`time_limit`, so the number of steps, and the plan, can vary with the machine's speed.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ortools.sat.python import cp_model

from headway.errors import HeadwayError

FULL_MODEL_PAIRS = 64  # request x analyst pairs up to which CP-SAT gets the whole desk
WEIGHT_SCALE = 10_000  # the largest weight's integer value in the CP-SAT objective
STEP_SECONDS = 0.1  # the longest one neighbourhood step may take
BLOCK_START, BLOCK_MIN, BLOCK_MAX = 6, 4, 16  # planned requests freed per neighbourhood
_FLOOR = "no late request could finish sooner, even alone"

# A request's place on the plan: (analyst index, start minute on that analyst's clock).
_Slots = dict[int, tuple[int, int]]
# Where a neighbourhood's requests may go: (analyst, first day, last day) stretches.
_Region = list[tuple[int, int, int]]
# A neighbourhood: the requests to re-plan, and where.
_Hood = tuple[list[int], _Region]


@dataclass(frozen=True)
class Analyst:
    name: str
    hours_per_week: float  # split evenly over Monday to Friday
    leave: tuple[tuple[date, date], ...] = ()  # inclusive date ranges with no capacity


@dataclass(frozen=True)
class Job:
    id: int
    title: str
    hours: float
    weight: float  # priority weight > 0
    due: date | None = None
    received: date | None = None  # earliest start (None: the plan start)


@dataclass(frozen=True)
class Scheduled:
    job: Job
    analyst: str | None  # None when it does not fit within the horizon
    start: date | None
    finish: date | None  # the working day on which it is finished
    late_days: int  # calendar days after due; beyond the horizon: at least horizon end - due
    beyond_horizon: bool

    @property
    def slips(self) -> bool:
        return self.late_days > 0 or self.beyond_horizon

    def to_json(self) -> dict[str, Any]:
        job = self.job
        return {
            "id": job.id,
            "title": job.title,
            "hours": job.hours,
            "weight": job.weight,
            "due": _iso(job.due),
            "received": _iso(job.received),
            "analyst": self.analyst,
            "start": _iso(self.start),
            "finish": _iso(self.finish),
            "late_days": self.late_days,
            "beyond_horizon": self.beyond_horizon,
        }


@dataclass
class Plan:
    start: date
    weeks: int
    scheduled: list[Scheduled]  # by start date and analyst; beyond the horizon last
    weighted_lateness: float  # sum of weight x late_days
    baselines: dict[str, float]  # {"wsjf": ..., "edd": ...}: each greedy plan's weighted lateness
    method: str
    seconds: float
    capacity_hours: float  # the team's working hours within the horizon, leave taken off
    demand_hours: float  # the effort of every open request

    @property
    def end(self) -> date:
        """The day after the horizon's last day."""
        return self.start + timedelta(weeks=self.weeks)

    def slips(self) -> list[Scheduled]:
        """Requests late or beyond the horizon, worst (most weighted days late) first."""
        slipping = [s for s in self.scheduled if s.slips]
        return sorted(slipping, key=lambda s: (-s.job.weight * s.late_days, -s.late_days, s.job.id))

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weeks": self.weeks,
            "method": self.method,
            "seconds": round(self.seconds, 3),
            "weighted_lateness": self.weighted_lateness,
            "baselines": self.baselines,
            "capacity_hours": self.capacity_hours,
            "demand_hours": self.demand_hours,
            "scheduled": [s.to_json() for s in self.scheduled],
            "slips": [s.job.id for s in self.slips()],
        }


def make_plan(
    jobs: Sequence[Job],
    team: Sequence[Analyst],
    start: date,
    weeks: int = 26,
    time_limit: float = 5.0,
    seed: int = 0,
) -> Plan:
    """Schedule the open requests on the team's capacity; see the module docstring."""
    began = time.perf_counter()
    _check(jobs, team, weeks, time_limit)
    desk = _Desk.build(jobs, team, start, weeks)
    greedy = {"wsjf": _greedy(desk, _wsjf_key), "edd": _greedy(desk, _edd_key)}
    baselines = {name: desk.cost(slots) for name, slots in greedy.items()}
    name = min(baselines, key=lambda n: baselines[n])  # WSJF on a tie
    slots, method = _improve(desk, greedy[name], f"greedy {name.upper()}", time_limit, seed)
    return Plan(
        start=start,
        weeks=weeks,
        scheduled=desk.report(slots),
        weighted_lateness=desk.cost(slots),
        baselines=baselines,
        method=method,
        seconds=time.perf_counter() - began,
        capacity_hours=sum(c[-1] for c in desk.cum) / 60,
        demand_hours=sum(job.hours for job in jobs),
    )


@dataclass(frozen=True)
class Change:
    """One request whose place in the plan a what-if changes."""

    id: int
    title: str
    before: Scheduled | None  # None: added by the what-if
    after: Scheduled | None  # None: removed by the what-if

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
        }


@dataclass
class WhatIf:
    before: Plan
    after: Plan
    newly_late: list[Scheduled]  # slipping after (its place after), not before or added
    no_longer_late: list[Scheduled]  # slipping before, on time after (its place after)
    changed: list[Change]  # added, removed, or a different analyst, start or finish

    def to_json(self) -> dict[str, Any]:
        return {
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "weighted_lateness_change": self.after.weighted_lateness
            - self.before.weighted_lateness,
            "newly_late": [s.to_json() for s in self.newly_late],
            "no_longer_late": [s.to_json() for s in self.no_longer_late],
            "changed": [c.to_json() for c in self.changed],
        }


def whatif(
    jobs: Sequence[Job],
    team: Sequence[Analyst],
    start: date,
    weeks: int = 26,
    *,
    add: Sequence[Job] = (),
    remove: Sequence[int] = (),
    extra: Sequence[Analyst] = (),
    time_limit: float = 5.0,
) -> WhatIf:
    """The plan before and after adding requests, removing requests or adding analysts."""
    ids = {job.id for job in jobs}
    for job_id in remove:
        if job_id not in ids:
            raise HeadwayError(
                f"There is no open request {job_id} to remove.", "Check the request's id."
            )
    for job in add:
        if job.id in ids:
            raise HeadwayError(
                f"The request to add, {job.title!r}, has id {job.id}, "
                "which a request on the desk already has.",
                "Give the new request its own id.",
            )
    before = make_plan(jobs, team, start, weeks, time_limit)
    kept = [job for job in jobs if job.id not in set(remove)]
    after = make_plan([*kept, *add], [*team, *extra], start, weeks, time_limit)
    return _compare(before, after)


def _compare(before: Plan, after: Plan) -> WhatIf:
    old = {s.job.id: s for s in before.scheduled}
    new = {s.job.id: s for s in after.scheduled}
    changed = [
        Change(job_id, (old.get(job_id) or new[job_id]).job.title, old.get(job_id), new.get(job_id))
        for job_id in sorted(old.keys() | new.keys())
        if _place(old.get(job_id)) != _place(new.get(job_id))
    ]
    newly = [s for s in after.slips() if not (s.job.id in old and old[s.job.id].slips)]
    fixed = [s for s in new.values() if not s.slips and s.job.id in old and old[s.job.id].slips]
    return WhatIf(before, after, newly, fixed, changed)


def _place(s: Scheduled | None) -> tuple[str | None, date | None, date | None] | None:
    return None if s is None else (s.analyst, s.start, s.finish)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- checks -------------------------------------------------------------------------------


def _check(jobs: Sequence[Job], team: Sequence[Analyst], weeks: int, time_limit: float) -> None:
    if weeks < 1:
        raise HeadwayError(
            f"A plan must cover at least one week, not {weeks}.", "Plan over 26 weeks, say."
        )
    if not math.isfinite(time_limit) or time_limit < 0:
        raise HeadwayError(
            f"The time limit must be 0 seconds or more, not {time_limit}.",
            "5 seconds is usually enough.",
        )
    if not team:
        raise HeadwayError(
            "There are no analysts to plan the requests on.",
            "Add the team's analysts with their hours per week.",
        )
    names: set[str] = set()
    for analyst in team:
        _check_analyst(analyst, names)
    seen: set[int] = set()
    for job in jobs:
        _check_job(job, seen)


def _check_analyst(analyst: Analyst, names: set[str]) -> None:
    label = f"Analyst {analyst.name!r}"
    if not analyst.name.strip():
        raise HeadwayError("An analyst has no name.", "Give every analyst a name.")
    if analyst.name in names:
        raise HeadwayError(f"{label} is in the team twice.", "Give each analyst once.")
    names.add(analyst.name)
    if not (math.isfinite(analyst.hours_per_week) and 0 < analyst.hours_per_week <= 120):
        raise HeadwayError(
            f"{label} has {analyst.hours_per_week} hours per week; "
            "it must be more than 0 and at most 120.",
            "Give the hours they can spend on requests, e.g. 37 for full time.",
        )
    for first, last in analyst.leave:
        if last < first:
            raise HeadwayError(
                f"{label} has leave ending on {last} before it starts on {first}.",
                "Give leave as (first day, last day).",
            )


def _check_job(job: Job, seen: set[int]) -> None:
    label = f"Request {job.id} ({job.title!r})"
    if job.id in seen:
        raise HeadwayError(
            f"Request id {job.id} is given more than once.", "Each request needs its own id."
        )
    seen.add(job.id)
    if not (math.isfinite(job.hours) and job.hours > 0):
        raise HeadwayError(
            f"{label} has {job.hours} hours of effort; it must be more than 0.",
            "Give it an estimate, even a rough one.",
        )
    if not (math.isfinite(job.weight) and job.weight > 0):
        raise HeadwayError(
            f"{label} has priority weight {job.weight}; it must be more than 0.",
            "Recompute its priority, or give it a weight of 1.",
        )
    if job.due and job.received and job.due < job.received:
        raise HeadwayError(
            f"{label} is due on {job.due}, before it was received on {job.received}.",
            "Check the two dates.",
        )


# --- the desk on the minute grid ----------------------------------------------------------


@dataclass(frozen=True)
class _Desk:
    jobs: tuple[Job, ...]
    names: tuple[str, ...]
    start: date
    days: int  # calendar days in the horizon
    cum: tuple[tuple[int, ...], ...]  # cum[a][d]: analyst a's working minutes before day d
    minutes: tuple[int, ...]  # each request's effort
    received: tuple[int, ...]  # the first day each request may start (0 = plan start)
    due: tuple[int | None, ...]  # the due day, None when none (may be < 0: already overdue)
    weight: tuple[int, ...]  # integer weights for CP-SAT

    @classmethod
    def build(cls, jobs: Sequence[Job], team: Sequence[Analyst], start: date, weeks: int) -> _Desk:
        days = 7 * weeks
        top = max((job.weight for job in jobs), default=1.0)
        return cls(
            jobs=tuple(jobs),
            names=tuple(a.name for a in team),
            start=start,
            days=days,
            cum=tuple(_clock(a, start, days) for a in team),
            minutes=tuple(math.ceil(round(job.hours * 60, 6)) for job in jobs),
            received=tuple(
                max(0, (job.received - start).days) if job.received else 0 for job in jobs
            ),
            due=tuple((job.due - start).days if job.due else None for job in jobs),
            weight=tuple(max(1, round(job.weight / top * WEIGHT_SCALE)) for job in jobs),
        )

    def window(self, a: int, j: int) -> tuple[int, int] | None:
        """The earliest and latest start minute of request j on analyst a, if it fits."""
        if self.received[j] >= self.days:
            return None
        first, last = self.cum[a][self.received[j]], self.cum[a][-1] - self.minutes[j]
        return (first, last) if first <= last else None

    def start_day(self, a: int, minute: int) -> int:
        return bisect.bisect_right(self.cum[a], minute) - 1

    def finish_day(self, a: int, end: int) -> int:
        return bisect.bisect_left(self.cum[a], end) - 1

    def late(self, j: int, day: int) -> int:
        due = self.due[j]
        return 0 if due is None else max(0, day - due)

    def never_late(self, j: int) -> bool:
        due = self.due[j]
        return due is None or due >= self.days

    def slip_cost(self, j: int) -> float:
        """The weighted lateness of request j when it is beyond the horizon."""
        return self.jobs[j].weight * self.late(j, self.days)

    def cost(self, slots: _Slots) -> float:
        """Weighted lateness of a plan, beyond-horizon requests included."""
        total = 0.0
        for j, job in enumerate(self.jobs):
            if j in slots:
                a, s = slots[j]
                total += job.weight * self.late(j, self.finish_day(a, s + self.minutes[j]))
            else:
                total += self.slip_cost(j)
        return total

    def report(self, slots: _Slots) -> list[Scheduled]:
        rows: list[tuple[tuple[int, int, int], Scheduled]] = []
        for j, job in enumerate(self.jobs):
            if j in slots:
                a, s = slots[j]
                first, last = self.start_day(a, s), self.finish_day(a, s + self.minutes[j])
                row = Scheduled(
                    job,
                    self.names[a],
                    self._date(first),
                    self._date(last),
                    self.late(j, last),
                    False,
                )
                rows.append(((first, a, j), row))
            else:
                row = Scheduled(job, None, None, None, self.late(j, self.days), True)
                rows.append(((self.days, 0, j), row))
        return [row for _, row in sorted(rows, key=lambda r: r[0])]

    def _date(self, day: int) -> date:
        return self.start + timedelta(days=day)


def _clock(analyst: Analyst, start: date, days: int) -> tuple[int, ...]:
    """Working minutes before each day of the horizon (and at its end)."""
    per_day = round(analyst.hours_per_week * 12)  # 60 minutes x hours / 5 days
    cum = [0]
    for d in range(days):
        day = start + timedelta(days=d)
        away = day.weekday() >= 5 or any(a <= day <= b for a, b in analyst.leave)
        cum.append(cum[-1] + (0 if away else per_day))
    return tuple(cum)


# --- greedy plans -------------------------------------------------------------------------


def _wsjf_key(desk: _Desk, j: int) -> tuple[float, float, int]:
    due = desk.due[j]
    return (-desk.jobs[j].weight / desk.minutes[j], math.inf if due is None else due, j)


def _edd_key(desk: _Desk, j: int) -> tuple[float, float, int]:
    due = desk.due[j]
    return (math.inf if due is None else due, -desk.jobs[j].weight / desk.minutes[j], j)


def _greedy(desk: _Desk, key: Callable[[_Desk, int], tuple[float, float, int]]) -> _Slots:
    """List scheduling: whenever an analyst is free, the best request received by then goes
    to the analyst who can finish it first."""
    waiting = sorted(range(len(desk.jobs)), key=lambda j: desk.received[j])
    ready: list[tuple[tuple[float, float, int], int]] = []
    free = [0] * len(desk.names)  # each analyst's first free minute
    slots: _Slots = {}
    nxt = 0
    while nxt < len(waiting) or ready:
        now = min(desk.start_day(a, m) for a, m in enumerate(free))
        if not ready and desk.received[waiting[nxt]] > now:
            now = desk.received[waiting[nxt]]
        while nxt < len(waiting) and desk.received[waiting[nxt]] <= now:
            heapq.heappush(ready, (key(desk, waiting[nxt]), waiting[nxt]))
            nxt += 1
        _, j = heapq.heappop(ready)
        place = _first_finish(desk, free, j)
        if place is not None:
            slots[j] = place
            free[place[0]] = place[1] + desk.minutes[j]
    return slots


def _first_finish(desk: _Desk, free: list[int], j: int) -> tuple[int, int] | None:
    """The analyst (and start minute) finishing request j first after their free minute."""
    best: tuple[int, int, int] | None = None  # (finish day, analyst, start)
    for a, minute in enumerate(free):
        window = desk.window(a, j)
        if window is None or max(minute, window[0]) > window[1]:
            continue
        begin = max(minute, window[0])
        option = (desk.finish_day(a, begin + desk.minutes[j]), a, begin)
        best = option if best is None else min(best, option)
    return None if best is None else (best[1], best[2])


def _polish(desk: _Desk, slots: _Slots) -> _Slots:
    """Start every request as early as its analyst's order allows, except those that cannot
    count as late (no due date, or due after the horizon): they go last, with the
    beyond-horizon requests, at the end of an analyst's work where they fit. Never makes
    the plan worse: nothing that could be late starts later."""
    order = sorted((j for j in slots if not desk.never_late(j)), key=lambda j: slots[j])
    free = [0] * len(desk.names)
    tidy: _Slots = {}
    for j in order:
        a = slots[j][0]
        window = desk.window(a, j)
        assert window is not None  # it was placed on a
        tidy[j] = (a, max(free[a], window[0]))
        free[a] = tidy[j][1] + desk.minutes[j]
    beyond = sorted(
        (j for j in range(len(desk.jobs)) if j not in tidy),
        key=lambda j: (-desk.slip_cost(j) / desk.minutes[j], _wsjf_key(desk, j)),
    )
    for j in beyond:
        place = _first_finish(desk, free, j)
        if place is not None:
            tidy[j] = place
            free[place[0]] = place[1] + desk.minutes[j]
    return tidy


# --- CP-SAT -------------------------------------------------------------------------------


def _improve(
    desk: _Desk, greedy: _Slots, label: str, limit: float, seed: int
) -> tuple[_Slots, str]:
    """CP-SAT's improvement on the better greedy plan, and how the plan was made."""
    cost, floor = desk.cost(greedy), _floor(desk)
    if cost == 0:
        return greedy, f"{label} (nothing late, so no search needed)"
    if cost <= floor + 1e-9:
        return greedy, f"{label}, optimal: {_FLOOR}"
    if limit == 0:
        return greedy, f"{label} (no time given for CP-SAT)"
    movable = [j for j in range(len(desk.jobs)) if _fits(desk, j)]
    if len(movable) * len(desk.names) <= FULL_MODEL_PAIRS:
        whole = [(a, 0, desk.days) for a in range(len(desk.names))]
        solved, optimal = _solve(desk, greedy, movable, whole, limit, seed, workers=2)
        found = _polish(desk, solved) if solved is not None else greedy
        if desk.cost(found) < cost:
            how = "optimal" if optimal else f"best found in {limit:g} s, not proved optimal"
            return found, f"CP-SAT ({how}), improving on {label}"
        if optimal:
            return greedy, f"{label}, proved optimal by CP-SAT"
        return greedy, f"{label} (CP-SAT found nothing better in {limit:g} s)"
    found, steps, largest = _search(desk, _polish(desk, greedy), limit, seed, floor)
    how = f"CP-SAT large-neighbourhood search ({steps} steps of up to {largest} requests"
    how += f"; optimal: {_FLOOR})" if desk.cost(found) <= floor + 1e-9 else f", {limit:g} s limit)"
    if desk.cost(found) < cost:
        return found, f"{how}, improving on {label}"
    return greedy, f"{label}; {how} found nothing better"


def _floor(desk: _Desk) -> float:
    """A lower bound: each request's lateness if it had the team to itself."""
    total = 0.0
    for j, job in enumerate(desk.jobs):
        place = _first_finish(desk, [0] * len(desk.names), j)
        total += job.weight * (
            desk.late(j, _finish_in(desk, {j: place}, j)) if place else desk.late(j, desk.days)
        )
    return total


def _fits(desk: _Desk, j: int) -> bool:
    return any(desk.window(a, j) is not None for a in range(len(desk.names)))


def _search(
    desk: _Desk, best: _Slots, limit: float, seed: int, floor: float
) -> tuple[_Slots, int, int]:
    """Large-neighbourhood search: re-plan a few requests at a time with CP-SAT, the rest
    fixed; two neighbourhoods at a time on separate stretches of the analysts' time, one
    CP-SAT worker each (one per core)."""
    deadline = time.perf_counter() + limit
    rng = random.Random(seed)
    cost, block, steps, largest = desk.cost(best), BLOCK_START, 0, 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        while (left := deadline - time.perf_counter()) > 0.05 and cost > floor + 1e-9:
            hoods = _neighbourhoods(desk, best, block, rng)
            step = min(STEP_SECONDS, left)
            runs = [
                pool.submit(_solve, desk, best, free, region, step, rng.randrange(2**31), 1)
                for free, region in hoods
            ]
            merged, proved = dict(best), True
            for (free, _), run in zip(hoods, runs, strict=True):
                solved, optimal = run.result()
                if solved is not None:
                    merged = {j: p for j, p in merged.items() if j not in free} | solved
                proved = proved and optimal
            candidate = _polish(desk, merged)
            if (new := desk.cost(candidate)) <= cost:
                best, cost = candidate, new
            steps += len(hoods)
            largest = max([largest, *(len(free) for free, _ in hoods)])
            block = _resize(block, proved)
    return best, steps, largest


def _resize(block: int, optimal: bool) -> int:
    """Grow the block while CP-SAT proves each step optimal; shrink it when it cannot."""
    grown = round(block * 1.25) if optimal else round(block * 0.7)
    return min(BLOCK_MAX, max(BLOCK_MIN, grown))


def _neighbourhoods(desk: _Desk, slots: _Slots, block: int, rng: random.Random) -> list[_Hood]:
    """Up to two neighbourhoods on separate stretches of the analysts' time, with a share
    each of a sample of beyond-horizon requests, heavier on those whose slipping costs
    most per hour."""
    if not slots:
        return [([], [])]
    hoods: list[_Hood] = []
    for _ in range(6):
        free, region = rng.choice(_KINDS)(desk, slots, block, rng)
        if all(_apart(region, other) for _, other in hoods):
            hoods.append((free, region))
        if len(hoods) == 2:
            break
    beyond = [j for j in range(len(desk.jobs)) if j not in slots and desk.slip_cost(j) > 0]
    keyed = [(rng.random() ** (desk.minutes[j] / desk.slip_cost(j)), j) for j in beyond]
    sample = [j for _, j in heapq.nlargest(block // 2 * len(hoods), keyed) if _fits(desk, j)]
    return [(free + sample[i :: len(hoods)], region) for i, (free, region) in enumerate(hoods)]


def _apart(one: _Region, other: _Region) -> bool:
    return all(a != b or e1 <= s2 or e2 <= s1 for a, s1, e1 in one for b, s2, e2 in other)


def _centre(desk: _Desk, slots: _Slots, order: list[int], rng: random.Random) -> int:
    """A late request's index in order (the later and heavier, the likelier), or any."""
    late = [(i, desk.jobs[j].weight * _late_in(desk, slots, j)) for i, j in enumerate(order)]
    late = [(i, w) for i, w in late if w > 0]
    if late and rng.random() < 0.5:
        return rng.choices([i for i, _ in late], weights=[w for _, w in late])[0]
    return rng.randrange(len(order))


def _around(order: list[int], centre: int, block: int) -> list[int]:
    return order[max(0, centre - block // 2) : centre + (block + 1) // 2]


def _span(desk: _Desk, slots: _Slots, jobs: list[int]) -> tuple[int, int]:
    return (
        min(desk.start_day(*slots[j]) for j in jobs),
        max(_finish_in(desk, slots, j) + 1 for j in jobs),
    )


def _time_block(
    desk: _Desk, slots: _Slots, block: int, rng: random.Random
) -> tuple[list[int], _Region]:
    """Requests starting close together, on every analyst."""
    order = sorted(slots, key=lambda j: (desk.start_day(*slots[j]), slots[j][0]))
    chosen = _around(order, _centre(desk, slots, order, rng), block)
    first, last = _span(desk, slots, chosen)
    return chosen, [(a, first, last) for a in range(len(desk.names))]


def _run(desk: _Desk, slots: _Slots, block: int, rng: random.Random) -> tuple[list[int], _Region]:
    """One analyst's requests one after another."""
    a = rng.choice(sorted({a for a, _ in slots.values()}))
    order = sorted((j for j in slots if slots[j][0] == a), key=lambda j: slots[j][1])
    chosen = _around(order, _centre(desk, slots, order, rng), block)
    first, last = _span(desk, slots, chosen)
    return chosen, [(a, first, last)]


def _scatter(
    desk: _Desk, slots: _Slots, block: int, rng: random.Random
) -> tuple[list[int], _Region]:
    """Requests from anywhere on the plan, so that distant ones can swap places."""
    chosen = rng.sample(sorted(slots), min(block, len(slots)))
    return chosen, [(slots[j][0], *_span(desk, slots, [j])) for j in chosen]


_KINDS = (_time_block, _run, _scatter)


def _finish_in(desk: _Desk, slots: _Slots, j: int) -> int:
    a, s = slots[j]
    return desk.finish_day(a, s + desk.minutes[j])


def _late_in(desk: _Desk, slots: _Slots, j: int) -> int:
    return desk.late(j, _finish_in(desk, slots, j))


@dataclass(frozen=True)
class _Option:
    """Request j on analyst a: whether (present), and when (begin, in one of `starts`)."""

    a: int
    present: cp_model.IntVar
    begin: cp_model.IntVar
    starts: list[list[int]]  # [first, last] start minutes, one pair per gap it fits in


def _solve(
    desk: _Desk,
    slots: _Slots,
    free: Iterable[int],
    region: _Region,
    limit: float,
    seed: int,
    workers: int,
) -> tuple[_Slots | None, bool]:
    """CP-SAT over the free requests, placed within `region`, every other request
    fixed where it is, the current plan as the hint. The free requests' new places (those
    left out are beyond the horizon; None if CP-SAT found no plan), and whether optimal."""
    free = set(free)
    gaps = _gaps(desk, {j: place for j, place in slots.items() if j not in free}, region)
    model = cp_model.CpModel()
    lanes: list[list[cp_model.IntervalVar]] = [[] for _ in desk.names]
    objective: list[cp_model.LinearExprT] = []
    options: dict[int, list[_Option]] = {}
    for j in sorted(free):
        options[j] = _options(model, desk, slots.get(j), j, gaps, lanes)
        if options[j]:
            model.add_at_most_one(o.present for o in options[j])
            objective.extend(_lateness(model, desk, slots.get(j), j, options[j]))
    for intervals in lanes:
        model.add_no_overlap(intervals)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    placed: _Slots = {}
    for j, choices in options.items():
        for o in choices:
            if solver.boolean_value(o.present):
                placed[j] = (o.a, solver.value(o.begin))
    return placed, status == cp_model.OPTIMAL


def _gaps(desk: _Desk, fixed: _Slots, region: _Region) -> list[list[tuple[int, int]]]:
    """Per analyst, the stretches [from, to) of their clock within `region` that no fixed
    request takes."""
    taken: list[list[tuple[int, int]]] = [[] for _ in desk.names]
    for j, (a, s) in fixed.items():
        taken[a].append((s, s + desk.minutes[j]))
    gaps: list[list[tuple[int, int]]] = []
    for a, cum in enumerate(desk.cum):
        at, free = 0, []
        for s, e in sorted(taken[a]):
            free.append((at, s))
            at = max(at, e)
        free.append((at, cum[-1]))
        spans = _merge(sorted((cum[first], cum[last]) for b, first, last in region if b == a))
        gaps.append(
            [
                (max(s, low), min(e, high))
                for low, high in spans
                for s, e in free
                if max(s, low) < min(e, high)
            ]
        )
    return gaps


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted stretches, overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for low, high in spans:
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _options(
    model: cp_model.CpModel,
    desk: _Desk,
    place: tuple[int, int] | None,
    j: int,
    gaps: list[list[tuple[int, int]]],
    lanes: list[list[cp_model.IntervalVar]],
) -> list[_Option]:
    """Request j's optional interval on each analyst with a gap it fits in, its start
    limited to those gaps (so fixed requests need no constraint), hinted at its place."""
    choices = []
    for a in range(len(desk.names)):
        window = desk.window(a, j)
        if window is None:
            continue
        starts = [
            [max(low, window[0]), min(high - desk.minutes[j], window[1])]
            for low, high in gaps[a]
            if max(low, window[0]) <= min(high - desk.minutes[j], window[1])
        ]
        if not starts:
            continue
        present = model.new_bool_var("")
        begin = model.new_int_var_from_domain(cp_model.Domain.from_intervals(starts), "")
        here = place is not None and place[0] == a
        model.add_hint(present, here)
        model.add_hint(begin, place[1] if here and place else starts[0][0])
        lanes[a].append(
            model.new_optional_fixed_size_interval_var(begin, desk.minutes[j], present, "")
        )
        choices.append(_Option(a, present, begin, starts))
    return choices


def _lateness(
    model: cp_model.CpModel,
    desk: _Desk,
    place: tuple[int, int] | None,
    j: int,
    choices: list[_Option],
) -> list[cp_model.LinearExprT]:
    """Request j's weighted lateness in days. Its finish day F (desk.days when beyond the
    horizon) is at least the day its analyst's clock reaches its end: an element constraint
    on the minutes each analyst has worked by the end of each day, F taking only the days
    it can finish on (any day up to its due date counting as the due date)."""
    due = desk.due[j]
    if due is None or desk.never_late(j):
        return []
    reachable = {o.a: _finish_days(desk, o, j, due) for o in choices}
    days = set().union(*reachable.values())
    if days <= {due}:  # on time wherever it is placed
        return [desk.weight[j] * (desk.days - due) * (1 - sum(o.present for o in choices))]
    finish = desk.days if place is None else max(due, _finish_in(desk, {j: place}, j))
    day = model.new_int_var_from_domain(cp_model.Domain.from_values([*days, desk.days]), "")
    model.add_hint(day, finish)
    for o in choices:
        if reachable[o.a] <= {due}:
            continue
        table = [*desk.cum[o.a][1:], desk.cum[o.a][-1]]  # worked by the end of day F
        reach = model.new_int_var(0, desk.cum[o.a][-1], "")
        model.add_element(day, table, reach)
        model.add_hint(reach, table[finish])
        model.add(o.begin + desk.minutes[j] <= reach).only_enforce_if(o.present)
    model.add(day == desk.days).only_enforce_if([~o.present for o in choices])
    return [desk.weight[j] * (day - due)]


def _finish_days(desk: _Desk, o: _Option, j: int, due: int) -> set[int]:
    """The days request j can finish on in option o, those up to its due date as due."""
    days: set[int] = set()
    for first, last in o.starts:
        earliest = desk.finish_day(o.a, first + desk.minutes[j])
        latest = desk.finish_day(o.a, last + desk.minutes[j])
        days.update(max(day, due) for day in range(earliest, latest + 1))
    return days
