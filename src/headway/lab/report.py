"""The trial report (one self-contained HTML page) and the what-works ranking.

The page has no scripts and no external files: inline CSS in a plain GOV.UK-like style,
the event study as an inline SVG chart with its table alternative, the effect by wave with
wave sizes, the four overall figures, the pre-trend test, the two-way fixed effects
comparison, and a plain-English verdict with its caveats.

Verdicts and the what-works ranking follow one rule (`judge`), written in docs/lab.md:

- the headline is the simple aggregation and its 95% interval (bootstrap when it ran);
- "works" when that interval lies wholly on the side of improvement, "harms" when wholly on
  the side of harm, "unclear" otherwise;
- the evidence that it works is "strong" only when the trial was randomised, the pre-trend
  test does not reject parallel trends at 5%, and every estimated wave has at least 5 LAs;
  otherwise "moderate".

`what_works` ranks trials by category (works with strong evidence, works with moderate
evidence, unclear, harms), then within a category by the conservative standardised effect:
the end of the interval nearer to no effect, in the direction of improvement, divided by
the outcome's standard deviation over LA-periods without the support. Standardising lets
different outcomes be compared; using the interval's cautious end means a large but
uncertain effect does not outrank a moderate, well-measured one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from headway.lab.estimate import SMALL_COHORT, Aggregation, Estimate

CATEGORIES = ("works: strong evidence", "works: moderate evidence", "unclear", "harms")


@dataclass(frozen=True)
class TrialResult:
    """One trial for the what-works table."""

    title: str
    estimate: Estimate
    outcome: str
    randomised: bool = True
    higher_is_better: bool = True


@dataclass(frozen=True)
class Verdict:
    category: str  # one of CATEGORIES
    headline: str
    caveats: tuple[str, ...]


def judge(
    estimate: Estimate, outcome: str, *, randomised: bool = True, higher_is_better: bool = True
) -> Verdict:
    """The plain-English verdict on a trial, by the rule in this module's docstring."""
    o = estimate.simple.overall
    better = o.lower > 0 if higher_is_better else o.upper < 0
    worse = o.upper < 0 if higher_is_better else o.lower > 0
    pre = estimate.pretrend
    pre_ok = pre is None or pre.p_value >= 0.05
    small = [c for c in estimate.cohorts if c.role == "estimated" and c.las < SMALL_COHORT]
    dp = _decimals(o.se)
    direction = "higher" if o.att > 0 else "lower"
    size = f"{abs(o.att):.{dp}f} {direction}"
    interval = f"95% interval {o.lower:.{dp}f} to {o.upper:.{dp}f}"
    said = (
        f"After the support started, {outcome} was on average {size} than it would "
        f"otherwise have been ({interval}; {o.las} supported LAs)."
    )
    if better:
        category = CATEGORIES[0] if randomised and pre_ok and not small else CATEGORIES[1]
        headline = f"It works. {said}"
    elif worse:
        category = CATEGORIES[3]
        headline = f"It made things worse. {said}"
    else:
        category = CATEGORIES[2]
        headline = (
            f"We cannot tell whether it works. {said} The interval includes no effect at all."
        )
    caveats = []
    if not randomised:
        caveats.append(
            "LAs chose when to start (not randomised): LAs that start early may differ from "
            "those that wait in ways the comparison cannot remove."
        )
    if pre is not None and not pre_ok:
        caveats.append(
            f"Before the support, supported and comparison LAs did not move in step (pre-trend "
            f"test p = {pre.p_value:.3f}): the comparison may be unfair."
        )
    if pre is None:
        caveats.append("No periods before the start could be tested for parallel trends.")
    if small:
        caveats.append(
            f"{len(small)} waves have fewer than {SMALL_COHORT} LAs: their figures are fragile."
        )
    if not any(c.first_treated_period == 0 for c in estimate.cohorts):
        caveats.append(
            "Every LA gets the support in the end (a stepped wedge): the effect is measured "
            "only while some LAs were still waiting, so it says nothing about later periods."
        )
    caveats.append(
        f"Intervals are from the multiplier bootstrap ({estimate.bootstrap} draws). The "
        "event-study and by-wave bands are uniform: they cover all their figures together "
        "95% of the time, so each is wider than an interval for one figure alone."
        if estimate.bootstrap
        else "Intervals are analytic and pointwise: each event-study interval is right on its "
        "own, but they do not cover all the event times together; the bootstrap gives bands "
        "that do."
    )
    return Verdict(category, headline, tuple(caveats))


def what_works(rows: Sequence[TrialResult]) -> pd.DataFrame:
    """Trials ranked by category of evidence, then by conservative standardised effect."""
    records = []
    for r in rows:
        o = r.estimate.simple.overall
        sign = 1.0 if r.higher_is_better else -1.0
        sd = r.estimate.baseline_sd
        cautious = min(sign * o.lower, sign * o.upper)  # the end nearer no effect, if it helps
        estimated = [c.las for c in r.estimate.cohorts if c.role == "estimated"]
        records.append({
            "trial": r.title,
            "outcome": r.outcome,
            "design": "randomised" if r.randomised else "observational",
            "effect": o.att,
            "lower": o.lower,
            "upper": o.upper,
            "standardised_effect": sign * o.att / sd if sd > 0 else math.nan,
            "conservative_standardised": cautious / sd if sd > 0 else math.nan,
            "pre_trend_p": r.estimate.pretrend.p_value if r.estimate.pretrend else math.nan,
            "smallest_wave": min(estimated) if estimated else 0,
            "evidence": judge(r.estimate, r.outcome, randomised=r.randomised,
                              higher_is_better=r.higher_is_better).category,
        })  # fmt: skip
    table = pd.DataFrame(records, columns=_WHAT_WORKS_COLUMNS)
    table["_category"] = table["evidence"].map(CATEGORIES.index)
    table = table.sort_values(
        ["_category", "conservative_standardised", "trial"], ascending=[True, False, True]
    ).drop(columns="_category")
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.reset_index(drop=True)


_WHAT_WORKS_COLUMNS = [
    "trial", "outcome", "design", "effect", "lower", "upper", "standardised_effect",
    "conservative_standardised", "pre_trend_p", "smallest_wave", "evidence",
]  # fmt: skip


def render_report(
    trial_title: str,
    estimate: Estimate,
    path: Path,
    *,
    outcome: str = "the outcome",
    approach: str = "",
    randomised: bool = True,
    higher_is_better: bool = True,
    period_labels: Mapping[int, str] | None = None,
    comparison: pd.DataFrame | None = None,
    known_effect: float | None = None,
) -> Path:
    """Write the trial report to `path` (self-contained HTML) and return the path.

    `period_labels` names the periods (e.g. {1: "2026Q1"}); `comparison` is a
    `what_works` table to show at the end; `known_effect` is a simulated trial's true
    effect, and the report then says whether the interval recovered it.
    """
    labels = dict(period_labels or {})
    verdict = judge(estimate, outcome, randomised=randomised, higher_is_better=higher_is_better)
    dp = _decimals(estimate.simple.overall.se)
    html = _template().render(
        title=trial_title,
        approach=approach,
        outcome=outcome,
        design="randomised stepped wedge" if randomised else "observational staggered adoption",
        generated=datetime.now(UTC).strftime("%d %B %Y"),
        e=estimate,
        verdict=verdict,
        chart=_event_study_chart(estimate.dynamic),
        waves=_wave_rows(estimate, labels),
        overall=[(a.title, a.overall) for a in estimate.aggregations.values()],
        calendar=[(labels.get(t.key or 0, f"period {t.key}"), t) for t in estimate.calendar.terms],
        num=lambda x: "" if x is None or not math.isfinite(x) else f"{x:.{dp}f}",
        comparison=None if comparison is None else comparison.to_dict(orient="records"),
        known_effect=known_effect,
    )
    path.write_text(html, encoding="utf-8")
    return path


def _template() -> jinja2.Template:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (
                resources.files("headway.lab").joinpath("templates", name).read_text("utf-8")
            )
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    ).get_template("report.html.j2")


def _decimals(se: float) -> int:
    """Decimals that show a figure to about a tenth of its standard error."""
    if not math.isfinite(se) or se <= 0:
        return 2
    return min(4, max(0, 1 - math.floor(math.log10(se))))


def _wave_rows(estimate: Estimate, labels: Mapping[int, str]) -> list[dict[str, Any]]:
    effects = {t.key: t for t in estimate.group.terms}
    rows = []
    for c in estimate.cohorts:
        g = c.first_treated_period
        rows.append({
            "wave": "Never supported" if g == 0 else labels.get(g, f"period {g}"),
            "las": c.las,
            "role": c.role,
            "effect": effects.get(g),
        })  # fmt: skip
    return rows


def _event_study_chart(agg: Aggregation) -> dict[str, Any]:
    """Geometry of the event-study chart: each point and interval in SVG coordinates."""
    width, height, left, right, top, bottom = 720, 320, 70, 20, 20, 50
    terms = [t for t in agg.terms if math.isfinite(t.lower) and math.isfinite(t.upper)]
    lo = min([0.0, *(t.lower for t in terms)])
    hi = max([0.0, *(t.upper for t in terms)])
    ticks = _ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(terms), 1)

    def y(v: float) -> float:
        return round(top + plot_h * (hi - v) / (hi - lo), 1) if hi > lo else top + plot_h / 2

    points = [
        {"x": round(left + step * (i + 0.5), 1), "y": y(t.att), "y_lo": y(t.lower),
         "y_hi": y(t.upper), "key": t.key, "post": (t.key or 0) >= 0}
        for i, t in enumerate(terms)
    ]  # fmt: skip
    first_post = next((p["x"] for p in points if p["post"]), None)
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
        "zero": y(0.0),
        "start_x": None if first_post is None else round(first_post - step / 2, 1),
        "points": points,
        "ticks": [{"y": y(v), "label": f"{v:.{_tick_decimals(ticks)}f}"} for v in ticks],
    }


def _tick_decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return max(0, -math.floor(math.log10(step) + 1e-9))


def _ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """About `target` round values covering lo to hi (steps of 1, 2 or 5 times 10^k)."""
    span = hi - lo if hi > lo else 1.0
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(lo / step) * step
    count = math.ceil((hi - start) / step - 1e-9)
    return [round(start + i * step, 10) for i in range(count + 1)]
