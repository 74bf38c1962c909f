"""Benchmark of the lab's estimator (python -m bench.lab; bench.run adds its rows).

Budget (DESIGN.md section 7): Callaway and Sant'Anna on 150 LAs x 24 quarters with all
four aggregations (simple, group, dynamic, calendar) and 999 multiplier-bootstrap draws, in
under 5 s. The panel is a simulated stepped wedge of 8 waves (headway.lab.simulate); the
time is the whole `estimate` call (validation, group-time effects, both analytic and
bootstrap aggregations, the pre-trend test and the two-way fixed effects comparison),
best of three after one warm-up run. R did's mpdta example (500 counties x 5 years) is
timed the same way, beside the published figures it must reproduce.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from headway.lab.estimate import Estimate, estimate
from headway.lab.power import hussey_hughes_power, stepped_wedge_design
from headway.lab.simulate import simulate_sector

MPDTA = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "lab" / "mpdta.csv"
BUDGET_S = 5.0
DRAWS = 999
Row = tuple[str, str, str, str]


def timed(run: Callable[[], Estimate], repeats: int = 3) -> tuple[float, Estimate]:
    """Best time of `repeats` runs after a warm-up, and the last result."""
    result = run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def rows() -> list[Row]:
    """(measure, figure, budget, result) rows for bench/RESULTS.md."""
    panel = simulate_sector(las=150, periods=24, waves=8, seed=1)
    boot, _ = timed(lambda: estimate(panel, bootstrap=DRAWS, seed=1))
    analytic, _ = timed(lambda: estimate(panel, bootstrap=0))
    out: list[Row] = [
        (f"Lab: Callaway and Sant'Anna, 150 LAs x 24 quarters (8 waves), all four "
         f"aggregations, {DRAWS} bootstrap draws", f"{boot:.2f} s", f"< {BUDGET_S:.0f} s",
         _met(boot < BUDGET_S)),
        ("Lab: the same, analytic inference only", f"{analytic:.2f} s", "", ""),
    ]  # fmt: skip
    power = hussey_hughes_power(
        stepped_wedge_design([6, 6, 6, 6]), -0.015, baseline=0.05, tau=0.01, per_cell=120
    )
    out.append(("Lab: Hussey and Hughes power, swCRTdesign swPwr example 1", f"{power:.3f}",
                "0.786 (published)", _met(round(power, 3) == 0.786)))  # fmt: skip
    if not MPDTA.exists():
        return [*out, ("Lab: R did's mpdta", f"skipped: {MPDTA} is absent", "", "")]
    mpdta = pd.read_csv(MPDTA).rename(
        columns={"countyreal": "la", "year": "period", "lemp": "outcome",
                 "first.treat": "first_treated_period"}
    )  # fmt: skip
    seconds, _ = timed(lambda: estimate(mpdta, "nevertreated", bootstrap=DRAWS, seed=1))
    r = estimate(mpdta, "nevertreated", bootstrap=0)
    s, d = r.simple.overall, r.dynamic.overall
    same = all(
        abs(a - b) < 1e-3
        for a, b in [(s.att, -0.0400), (s.se, 0.0120), (d.att, -0.0772), (d.se, 0.0200)]
    )
    out += [
        (f"Lab: R did's mpdta (500 counties x 5 years), all four aggregations, {DRAWS} draws",
         f"{seconds:.2f} s", "", ""),
        ("Lab: mpdta simple and dynamic ATT (analytic SE) against R did 2.5.1",
         f"{s.att:.4f} ({s.se:.4f}); {d.att:.4f} ({d.se:.4f})",
         "-0.0400 (0.0120); -0.0772 (0.0200)", _met(same)),
    ]  # fmt: skip
    return out


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    for measure, figure, budget, result in rows():
        print(f"{measure}\n    {figure}\n    budget {budget or '-'}: {result or '-'}")
