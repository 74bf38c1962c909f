"""Benchmark of `headway desk plan`: python -m bench.desk_plan, or rows() for bench/run.py.

- 2,000 open requests for 5 analysts (with leave and bank holidays) over 26 weeks, under
  10 s in all (budget from DESIGN.md section 7), with the plan's weighted lateness beside
  the greedy WSJF and EDD plans it starts from.
- One analyst with 150 open requests, the common case.
The synthetic desk: effort lognormal (median 3 h, 1 to 40 h); four in five requests
received in the last eight weeks and the rest arriving over the horizon; about a third
already overdue, a fifth due within four weeks of arriving, a third later, one in six with
no due date; weights 1 to 10. Demand is over twice the team's capacity: a normal,
overloaded desk.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from headway.desk.plan import Analyst, Job, Plan, make_plan

START = date(2026, 1, 5)  # a Monday
WEEKS = 26
BANK_HOLIDAYS = (date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25))
Row = tuple[str, str, str, str]


def synthetic_jobs(count: int, seed: int, scale: float = 1.0) -> list[Job]:
    """A desk of open requests; `scale` multiplies the effort (to fit a smaller team)."""
    rng = random.Random(seed)
    jobs = []
    for i in range(count):
        hours = min(40.0, max(1.0, round(rng.lognormvariate(math.log(3), 0.9) * scale * 2) / 2))
        received = START + timedelta(
            days=rng.randint(-56, 0) if rng.random() < 0.8 else rng.randint(1, 7 * WEEKS - 1)
        )
        jobs.append(
            Job(i + 1, f"request {i + 1}", hours, round(rng.uniform(1, 10), 1),
                _due(rng, received), received)
        )  # fmt: skip
    return jobs


def _due(rng: random.Random, received: date) -> date | None:
    draw = rng.random()
    if draw < 1 / 7 and received < START:
        return START - timedelta(days=rng.randint(1, (START - received).days))
    if draw < 0.5:
        return received + timedelta(days=rng.randint(3, 28))
    if draw < 0.85:
        return received + timedelta(days=rng.randint(29, 7 * WEEKS))
    return None


def team(size: int) -> list[Analyst]:
    """Analysts on 37 h, 30 h and 22.5 h a week, each with a fortnight's leave at a different
    time, the Easter week off for every other one, and the bank holidays."""
    hours = (37.0, 37.0, 30.0, 22.5, 37.0)
    easter = (date(2026, 3, 30), date(2026, 4, 6))
    analysts = []
    for i in range(size):
        away = START + timedelta(weeks=6 + 4 * i)
        leave = [(away, away + timedelta(days=13)), *([easter] if i % 2 else [])]
        leave += [(day, day) for day in BANK_HOLIDAYS]
        analysts.append(Analyst(f"analyst {i + 1}", hours[i % len(hours)], tuple(leave)))
    return analysts


def rows(time_limit: float = 8.0) -> list[Row]:
    big = make_plan(synthetic_jobs(2000, 1), team(5), START, WEEKS, time_limit=time_limit)
    one = make_plan(synthetic_jobs(150, 2), team(1), START, WEEKS, time_limit=time_limit / 2)
    return [
        *_plan_rows("2,000 requests, 5 analysts, 26 weeks", big, "< 10 s", big.seconds < 10),
        *_plan_rows("150 requests, 1 analyst, 26 weeks", one, "", None),
    ]


def _plan_rows(label: str, plan: Plan, budget: str, met: bool | None) -> list[Row]:
    wsjf, edd = plan.baselines["wsjf"], plan.baselines["edd"]
    slips = plan.slips()
    beyond = sum(s.beyond_horizon for s in slips)
    return [
        (f"Desk plan, {label} ({plan.demand_hours:,.0f} h asked of {plan.capacity_hours:,.0f} h)",
         f"{plan.seconds:.1f} s: {plan.method}", budget,
         "" if met is None else "met" if met else "NOT met"),
        (f"Weighted lateness (weight x days), {label}",
         f"{plan.weighted_lateness:,.0f}; greedy WSJF {wsjf:,.0f} ({_gain(plan, wsjf)}), "
         f"greedy EDD {edd:,.0f} ({_gain(plan, edd)}); {len(slips)} slip, {beyond} beyond",
         "<= both greedy plans",
         "met" if plan.weighted_lateness <= min(wsjf, edd) else "NOT met"),
    ]  # fmt: skip


def _gain(plan: Plan, baseline: float) -> str:
    if baseline == 0:
        return "no lateness to cut"
    return f"{(baseline - plan.weighted_lateness) / baseline:.1%} better"


if __name__ == "__main__":
    for measure, figure, budget, result in rows():
        print(f"{measure}\n    {figure}\n    budget {budget or '-'}: {result or '-'}")
