"""`headway desk plan`: requests scheduled on a team's capacity, what slips, and what-ifs.

The checks recompute every plan with an independent day-by-day simulation of the
analysts' calendars, so a plan that double-books an analyst, works on a weekend or on
leave, or starts a request before it arrives fails here whatever the planner believes.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headway.desk.plan import Analyst, Job, Plan, make_plan, whatif
from headway.errors import HeadwayError

MON = date(2025, 1, 6)  # a Monday


def days(n: int) -> date:
    return MON + timedelta(days=n)


# --- an independent calendar ------------------------------------------------------------


def capacity(analyst: Analyst, start: date, weeks: int) -> list[int]:
    """Minutes the analyst works on each day of the horizon."""
    per_day = round(analyst.hours_per_week * 60 / 5)
    out = []
    for n in range(7 * weeks):
        day = start + timedelta(days=n)
        away = day.weekday() >= 5 or any(a <= day <= b for a, b in analyst.leave)
        out.append(0 if away else per_day)
    return out


def simulate(
    queue: Sequence[Job], caps: list[int], start: date, not_before: dict[int, int] | None = None
) -> dict[int, tuple[int, int] | None]:
    """Each request in turn, as early as possible (and not before its day in `not_before`):
    (start day, finish day), or None when it does not fit in the horizon (taking no time)."""
    out: dict[int, tuple[int, int] | None] = {}
    day, used = 0, 0
    for job in queue:
        arrives = max(0, (job.received - start).days) if job.received else 0
        arrives = max(arrives, (not_before or {}).get(job.id, 0))
        d, u = (arrives, 0) if (day, used) < (arrives, 0) else (day, used)
        need, first = math.ceil(round(job.hours * 60, 6)), None
        while need and d < len(caps):
            take = min(caps[d] - u, need)
            if take > 0:
                first = d if first is None else first
                need, u = need - take, u + take
            if need:
                d, u = d + 1, 0
        if need:
            out[job.id] = None
        else:
            out[job.id] = (first if first is not None else d, d)
            day, used = d, u
    return out


def lateness(job: Job, finish: int | None, start: date, weeks: int) -> int:
    if job.due is None:
        return 0
    end = 7 * weeks if finish is None else finish
    return max(0, (start + timedelta(days=end) - job.due).days)


def check(plan: Plan, jobs: Sequence[Job], team: Sequence[Analyst]) -> None:
    """The plan is what the calendar gives, and its figures add up: each analyst's requests,
    in order and each started no earlier than the plan says, finish when the plan says."""
    assert sorted(s.job.id for s in plan.scheduled) == sorted(j.id for j in jobs)
    for analyst in team:
        mine = [s for s in plan.scheduled if s.analyst == analyst.name]
        mine.sort(key=lambda s: (s.start, s.finish))
        starts = {s.job.id: (s.start - plan.start).days for s in mine if s.start}
        caps = capacity(analyst, plan.start, plan.weeks)
        got = simulate([s.job for s in mine], caps, plan.start, starts)
        for s in mine:
            assert s.start is not None and s.finish is not None
            assert got[s.job.id] == ((s.start - plan.start).days, (s.finish - plan.start).days)
            assert s.job.received is None or s.start >= s.job.received
            assert not s.beyond_horizon and s.finish < plan.end
    total = 0.0
    for s in plan.scheduled:
        finish = None if s.finish is None else (s.finish - plan.start).days
        assert s.late_days == lateness(s.job, finish, plan.start, plan.weeks)
        assert s.beyond_horizon == (s.analyst is None)
        total += s.job.weight * s.late_days
    assert plan.weighted_lateness == pytest.approx(total)
    assert plan.weighted_lateness <= min(plan.baselines.values()) + 1e-9
    json.dumps(plan.to_json())


def brute_force(jobs: Sequence[Job], team: Sequence[Analyst], start: date, weeks: int) -> float:
    """The least weighted lateness over every choice of analyst (or none) for each request
    and every order of each analyst's requests."""
    caps = [capacity(a, start, weeks) for a in team]
    best = math.inf
    for owners in itertools.product(range(len(team) + 1), repeat=len(jobs)):
        mine = [[j for j, o in zip(jobs, owners, strict=True) if o == a] for a in range(len(team))]
        beyond = [j for j, o in zip(jobs, owners, strict=True) if o == len(team)]
        cost = sum(j.weight * lateness(j, None, start, weeks) for j in beyond)
        for queue, cap in zip(mine, caps, strict=True):
            cost += min(
                queue_cost(order, cap, start, weeks) for order in itertools.permutations(queue)
            )
        best = min(best, cost)
    return best


def queue_cost(queue: Sequence[Job], cap: list[int], start: date, weeks: int) -> float:
    got = simulate(queue, cap, start)
    finishes = {job_id: None if place is None else place[1] for job_id, place in got.items()}
    return sum(j.weight * lateness(j, finishes[j.id], start, weeks) for j in queue)


# --- small plans you can check by hand ----------------------------------------------------

ANN = Analyst("Ann", 35)  # 7 hours a day


def test_three_requests_one_analyst_by_hand() -> None:
    jobs = [
        Job(1, "LAC sufficiency", 14, 1, due=days(1)),
        Job(2, "Inspector's list", 7, 5, due=days(0)),
        Job(3, "Board pack", 21, 2, due=days(2)),
    ]
    plan = make_plan(jobs, [ANN], MON, weeks=2)
    rows = {s.job.id: (s.analyst, s.start, s.finish, s.late_days) for s in plan.scheduled}
    # The inspector's list on Monday, the board pack Tuesday to Thursday (a day late), the
    # sufficiency work Friday and the next Monday (six days late): 1 x 6 + 2 x 1 = 8.
    assert rows == {
        2: ("Ann", days(0), days(0), 0),
        3: ("Ann", days(1), days(3), 1),
        1: ("Ann", days(4), days(7), 6),
    }
    assert plan.weighted_lateness == 8
    # EDD does the sufficiency work first: 1 x 1 + 2 x 5 = 11.
    assert plan.baselines == {"wsjf": 8, "edd": 11}
    assert plan.method == "greedy WSJF, proved optimal by CP-SAT"
    assert [s.job.id for s in plan.slips()] == [1, 3]
    assert plan.capacity_hours == 70 and plan.demand_hours == 42
    check(plan, jobs, [ANN])


def test_leave_and_weekends_push_work_later() -> None:
    job = Job(1, "Return", 14, 1, due=days(1))
    assert make_plan([job], [ANN], MON, 1).scheduled[0].finish == days(1)
    away = Analyst("Ann", 35, leave=((days(1), days(2)),))
    plan = make_plan([job], [away], MON, 1)
    assert plan.scheduled[0].finish == days(3)  # Monday, then Thursday after two days off
    assert plan.scheduled[0].late_days == 2
    friday = make_plan([Job(1, "Return", 14, 1, received=days(4))], [ANN], MON, 2)
    assert (friday.scheduled[0].start, friday.scheduled[0].finish) == (days(4), days(7))
    check(plan, [job], [away])


def test_received_date_is_respected() -> None:
    jobs = [
        Job(1, "Arrives Wednesday", 7, 10, due=days(2), received=days(2)),
        Job(2, "Arrives Saturday", 3.5, 1, received=days(5)),
        Job(3, "Here already", 7, 1, due=days(9)),
    ]
    plan = make_plan(jobs, [ANN], MON, 2)
    by_id = {s.job.id: s for s in plan.scheduled}
    assert by_id[1].start == days(2)
    assert by_id[2].start == days(7)  # the Monday after
    assert by_id[3].start == days(0)  # the analyst does not wait for Wednesday's request
    check(plan, jobs, [ANN])


def test_plan_starting_on_a_weekend_and_an_empty_desk() -> None:
    plan = make_plan([Job(1, "Return", 7, 1)], [ANN], days(5), 1)
    assert plan.scheduled[0].start == days(7)
    empty = make_plan([], [ANN], MON)
    assert empty.scheduled == [] and empty.weighted_lateness == 0
    assert empty.method == "greedy WSJF (nothing late, so no search needed)"


def test_overloaded_desk_reports_what_slips_and_never_fails() -> None:
    jobs = [Job(i, f"Request {i}", 10, 1 + i, due=days(2)) for i in range(1, 11)]
    jobs.append(Job(11, "Too big for the horizon", 40, 10, due=days(3)))
    jobs.append(Job(12, "Arrives after the horizon", 1, 1, received=days(9)))
    plan = make_plan(jobs, [ANN], MON, weeks=1)
    check(plan, jobs, [ANN])
    done = [s for s in plan.scheduled if not s.beyond_horizon]
    assert sum(s.job.hours for s in done) <= 35
    beyond = {s.job.id: s for s in plan.scheduled if s.beyond_horizon}
    assert {11, 12} <= beyond.keys()
    assert beyond[11].late_days == (MON + timedelta(weeks=1) - days(3)).days == 4
    assert beyond[12].late_days == 0 and beyond[12].analyst is None
    slips = plan.slips()
    assert {s.job.id for s in slips} == {s.job.id for s in plan.scheduled if s.slips}
    weighted = [s.job.weight * s.late_days for s in slips]
    assert weighted == sorted(weighted, reverse=True)  # worst first


def test_no_time_for_cp_sat_gives_the_better_greedy_plan() -> None:
    jobs = [Job(1, "a", 14, 1, due=days(1)), Job(2, "b", 7, 5, due=days(0))]
    plan = make_plan(jobs, [ANN], MON, 1, time_limit=0)
    assert plan.method.endswith("(no time given for CP-SAT)")
    assert plan.weighted_lateness == min(plan.baselines.values())


# --- never worse than greedy; optimal on small desks -------------------------------------


@st.composite
def desks(draw: st.DrawFn) -> tuple[list[Job], list[Analyst]]:
    team = [
        Analyst(f"A{i}", draw(st.sampled_from([7.5, 15, 22.5])), leave=draw(leaves()))
        for i in range(draw(st.integers(1, 2)))
    ]
    jobs = []
    for i in range(draw(st.integers(1, 5))):
        received = draw(st.none() | st.integers(-2, 8))
        due = draw(st.none() | st.integers(-3 if received is None else received, 12))
        hours = draw(st.sampled_from([1, 2.5, 4, 7.5, 12, 20]))
        jobs.append(
            Job(i, f"r{i}", hours, draw(st.integers(1, 10)),
                None if due is None else days(due), None if received is None else days(received))
        )  # fmt: skip
    return jobs, team


def leaves() -> st.SearchStrategy[tuple[tuple[date, date], ...]]:
    first = st.integers(0, 12)
    return st.lists(
        st.tuples(first, st.integers(0, 3)).map(lambda t: (days(t[0]), days(t[0] + t[1]))),
        max_size=1,
    ).map(tuple)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desks())
def test_small_desks_are_planned_optimally(desk: tuple[list[Job], list[Analyst]]) -> None:
    jobs, team = desk
    plan = make_plan(jobs, team, MON, weeks=2, time_limit=5)
    check(plan, jobs, team)
    assert plan.weighted_lateness == pytest.approx(brute_force(jobs, team, MON, 2))


def random_desk(count: int, analysts: int, seed: int) -> tuple[list[Job], list[Analyst]]:
    rng = random.Random(seed)
    team = [
        Analyst(f"A{i}", rng.choice([22.5, 30, 37]), ((days(7 * i + 3), days(7 * i + 9)),))
        for i in range(analysts)
    ]
    jobs = []
    for i in range(count):
        received = days(rng.randint(-10, 40))
        due = received + timedelta(days=rng.randint(2, 40)) if rng.random() < 0.8 else None
        hours = round(min(30, max(1, rng.lognormvariate(1.2, 0.8))), 1)
        jobs.append(Job(i, f"r{i}", hours, rng.randint(1, 10), due, received))
    return jobs, team


@pytest.mark.parametrize("seed", [1, 2])
def test_large_desk_search_is_never_worse_than_greedy(seed: int) -> None:
    jobs, team = random_desk(120, 3, seed)
    plan = make_plan(jobs, team, MON, weeks=8, time_limit=1.0, seed=seed)
    assert "large-neighbourhood search" in plan.method
    check(plan, jobs, team)


# --- what-if ------------------------------------------------------------------------------


def test_adding_an_analyst_never_increases_lateness() -> None:
    # Small enough for CP-SAT to prove both plans optimal, where more capacity cannot hurt.
    rng = random.Random(3)
    jobs = [
        Job(i, f"r{i}", rng.choice([3, 5, 8, 12]), rng.randint(1, 10), days(rng.randint(1, 12)))
        for i in range(12)
    ]
    team = [Analyst("Ann", 22.5)]
    result = whatif(jobs, team, MON, 3, extra=[Analyst("Temp", 37)])
    for plan in (result.before, result.after):  # proved optimal, or nothing to improve
        assert "optimal" in plan.method or "nothing late" in plan.method
    assert result.after.weighted_lateness <= result.before.weighted_lateness
    assert result.no_longer_late
    assert {c.id for c in result.changed} <= {j.id for j in jobs}
    check(result.after, jobs, [*team, Analyst("Temp", 37)])


def test_removing_a_request_removes_it() -> None:
    jobs = [Job(1, "Board pack", 21, 2, due=days(2)), Job(2, "Return", 14, 1, due=days(4))]
    result = whatif(jobs, [ANN], MON, 2, remove=[1])
    assert [s.job.id for s in result.after.scheduled] == [2]
    removed = next(c for c in result.changed if c.id == 1)
    assert removed.before is not None and removed.after is None
    assert result.after.scheduled[0].start == MON  # the return moves up to Monday


def test_an_urgent_request_shows_what_becomes_late() -> None:
    week = Job(1, "Week-long audit", 35, 2, due=days(4))
    urgent = Job(2, "Inspector's list", 7, 10, due=days(0))
    result = whatif([week], [ANN], MON, 2, add=[urgent])
    assert not result.before.slips()
    assert [s.job.id for s in result.newly_late] == [1]
    assert result.newly_late[0].late_days == 3  # finishes on the Monday after
    assert {c.id for c in result.changed} == {1, 2}
    added = next(c for c in result.changed if c.id == 2)
    assert added.before is None and added.after is not None and added.after.late_days == 0
    payload = result.to_json()
    assert payload["weighted_lateness_change"] == 6
    json.dumps(payload)


def test_whatif_bad_changes_are_explained() -> None:
    jobs = [Job(1, "Return", 7, 1)]
    with pytest.raises(HeadwayError, match="no open request 9 to remove"):
        whatif(jobs, [ANN], MON, remove=[9])
    with pytest.raises(HeadwayError, match="already has"):
        whatif(jobs, [ANN], MON, add=[Job(1, "Another", 7, 1)])


# --- bad input ----------------------------------------------------------------------------

GOOD = Job(1, "Return", 7, 1)


@pytest.mark.parametrize(
    ("jobs", "team", "weeks", "message"),
    [
        ([GOOD], [], 26, "no analysts"),
        ([GOOD], [Analyst("Ann", -5)], 26, "Analyst 'Ann' has -5 hours per week"),
        ([GOOD], [Analyst("Ann", 0)], 26, "must be more than 0"),
        ([GOOD], [ANN, ANN], 26, "'Ann' is in the team twice"),
        ([GOOD], [Analyst(" ", 37)], 26, "no name"),
        ([GOOD], [Analyst("Ann", 37, ((days(3), days(1)),))], 26, "leave ending on 2025-01-07"),
        ([Job(1, "Return", -2, 1)], [ANN], 26, "Request 1 \\('Return'\\) has -2 hours"),
        ([Job(1, "Return", math.nan, 1)], [ANN], 26, "has nan hours"),
        ([Job(1, "Return", 7, 0)], [ANN], 26, "priority weight 0"),
        ([GOOD, Job(1, "Again", 3, 1)], [ANN], 26, "Request id 1 is given more than once"),
        ([Job(1, "Return", 7, 1, days(1), days(3))], [ANN], 26, "before it was received"),
        ([GOOD], [ANN], 0, "at least one week"),
    ],
)
def test_bad_input_is_explained(
    jobs: list[Job], team: list[Analyst], weeks: int, message: str
) -> None:
    with pytest.raises(HeadwayError, match=message):
        make_plan(jobs, team, MON, weeks)


def test_negative_time_limit_is_explained() -> None:
    with pytest.raises(HeadwayError, match="time limit"):
        make_plan([GOOD], [ANN], MON, time_limit=-1)
