"""The lab's statistics against published figures: swCRTdesign's power example, R did's
mpdta figures; a coverage study on simulated stepped wedges; allocation; the report."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from headway.errors import HeadwayError
from headway.lab.allocate import LA, allocate
from headway.lab.estimate import estimate
from headway.lab.power import (
    hussey_hughes_power,
    minimum_detectable_effect,
    simulated_power,
    stepped_wedge_design,
)
from headway.lab.report import TrialResult, judge, render_report, what_works
from headway.lab.simulate import DEMO_EFFECT, DEMO_SEED, simulate_sector

MPDTA = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "lab" / "mpdta.csv"


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    if not MPDTA.exists():
        pytest.skip(f"needs {MPDTA} (R did's mpdta example; the shared folder is absent)")
    return pd.read_csv(MPDTA).rename(
        columns={"countyreal": "la", "year": "period", "lemp": "outcome",
                 "first.treat": "first_treated_period"}
    )  # fmt: skip


# Power


def test_power_reproduces_swcrtdesign_example() -> None:
    # swPwr example 1: swDsn(c(6,6,6,6)), n = 120, mu0 = 0.05, mu1 = 0.035, tau = 0.01
    design = stepped_wedge_design([6, 6, 6, 6])
    assert design.shape == (24, 5)
    power = hussey_hughes_power(design, 0.035 - 0.05, baseline=0.05, tau=0.01, per_cell=120)
    assert round(power, 3) == 0.786


def test_stepped_wedge_design_shares_las_between_waves() -> None:
    design = stepped_wedge_design(10, 3, extra_periods=1)
    assert design.shape == (10, 5)
    assert not design[:, 0].any() and design[:, -1].all()
    assert list(np.argmax(design, axis=1)) == [1] * 4 + [2] * 3 + [3] * 3


def test_icc_and_tau_agree_and_the_mde_has_the_power_asked() -> None:
    design = stepped_wedge_design(24, 4)
    by_tau = hussey_hughes_power(design, 0.5, sigma=2.0, tau=1.0)
    by_icc = hussey_hughes_power(design, 0.5, sigma=2.0, icc=1.0 / (1.0 + 4.0))
    assert by_tau == pytest.approx(by_icc)
    mde = minimum_detectable_effect(design, sigma=2.0, tau=1.0, power=0.9)
    assert hussey_hughes_power(design, mde, sigma=2.0, tau=1.0) == pytest.approx(0.9)


def test_simulated_power_agrees_with_the_formula_and_keeps_its_size() -> None:
    design = stepped_wedge_design([6, 6, 6, 6])
    # with a large LA effect the fixed-effects analysis loses almost nothing to the formula
    formula = hussey_hughes_power(design, 0.5, sigma=1.0, tau=2.0)
    sim = simulated_power(design, 0.5, sigma=1.0, tau=2.0, sims=4000, seed=1)
    assert sim.sims == 4000 and sim.mcse == pytest.approx(
        np.sqrt(sim.power * (1 - sim.power) / 4000)
    )
    assert abs(sim.power - formula) < 3 * sim.mcse + 0.01
    # no effect, LAs of very different sizes: rejects about 5% of the time
    null = simulated_power(design, 0.0, sigma=1.0, tau=1.0, cluster_sizes=[1, 2, 5, 10] * 6,
                           sims=4000, seed=2)  # fmt: skip
    assert abs(null.power - 0.05) < 3 * null.mcse
    assert simulated_power(design, 0.5, sigma=1.0, tau=2.0, sims=4000, seed=1) == sim


def test_simulated_power_by_callaway_santanna_runs_on_a_staggered_design() -> None:
    design = stepped_wedge_design(30, 3)
    result = simulated_power(design, 1.0, sigma=1.0, tau=0.5, method="callaway_santanna",
                             sims=20, seed=3)  # fmt: skip
    assert result.method == "callaway_santanna" and 0 <= result.power <= 1


def test_power_refuses_bad_designs() -> None:
    with pytest.raises(HeadwayError, match="only 0"):
        hussey_hughes_power([[0, 2], [0, 1]], 1.0, sigma=1.0, tau=0.1)
    with pytest.raises(HeadwayError, match="not both"):
        hussey_hughes_power(stepped_wedge_design(4, 2), 0.1, sigma=1.0, baseline=0.2, tau=0.1)
    with pytest.raises(HeadwayError, match="no LA changes"):
        hussey_hughes_power(np.zeros((4, 3), dtype=int), 1.0, sigma=1.0, tau=0.1)


# Allocation


def sector(n: int = 150) -> list[LA]:
    rng = random.Random(5)
    regions = ["London", "South East", "North West", "West Midlands", "Yorkshire",
               "East", "South West", "East Midlands", "North East"]  # fmt: skip
    sizes = ["small", "medium", "large"]
    judgements = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    return [
        LA(f"E{i:03d}", rng.choice(regions), rng.choice(sizes),
           rng.choices(judgements, weights=[2, 5, 3, 1])[0])
        for i in range(n)
    ]  # fmt: skip


def test_allocation_is_reproducible_whatever_the_input_order() -> None:
    las = sector()
    first = allocate(las, waves=4, seed=11)
    shuffled = las[:]
    random.Random(1).shuffle(shuffled)
    again = allocate(shuffled, waves=4, seed=11)
    assert again.assignments == first.assignments
    assert again.input_digest == first.input_digest
    assert allocate(las, waves=4, seed=12).assignments != first.assignments
    as_dicts = [{"code": la.code, "region": la.region, "size": la.size, "ofsted": la.ofsted}
                for la in las]  # fmt: skip
    assert allocate(as_dicts, waves=4, seed=11).assignments == first.assignments
    json.dumps(first.to_dict())  # storable as it is


def test_allocation_balances_strata_and_waves_and_reports_pooling() -> None:
    allocation = allocate(sector(), waves=4, seed=11)
    sizes = np.bincount(list(allocation.assignments.values()))[1:]
    assert sizes.max() - sizes.min() <= 1 and sizes.sum() == 150
    seen: list[str] = []
    for stratum in allocation.strata:
        seen += stratum.las
        counts = np.bincount([allocation.assignments[c] for c in stratum.las], minlength=5)[1:]
        assert counts.max() - counts.min() <= 1, stratum.label
    assert sorted(seen) == sorted(allocation.assignments)
    pooled = [s for s in allocation.strata if s.pooled_from]
    assert pooled and len(allocation.notes) == len(pooled)
    assert all(len(s.las) >= 4 for s in allocation.strata if s.label != "all other LAs")
    balance = allocation.balance
    assert list(balance.columns) == ["wave 1", "wave 2", "wave 3", "wave 4", "all waves"]
    assert balance.loc[("all", "LAs"), "all waves"] == 150
    assert balance.xs("region")["all waves"].sum() == 150


def test_allocation_refuses_duplicates_and_too_many_waves() -> None:
    las = sector(6)
    with pytest.raises(HeadwayError, match="more than once"):
        allocate([*las, las[0]], waves=2, seed=1)
    with pytest.raises(HeadwayError, match="cannot be shared"):
        allocate(las, waves=7, seed=1)
    with pytest.raises(HeadwayError, match="no 'regoin'"):
        allocate(las, waves=2, seed=1, strata=("regoin",))


# Estimation


def test_mpdta_reproduces_r_did(mpdta: pd.DataFrame) -> None:
    result = estimate(mpdta, control="nevertreated", bootstrap=0)
    simple, dynamic = result.simple.overall, result.dynamic.overall
    # R did 2.5.1 (domain notes): simple -0.0400 (0.0120), dynamic -0.0772 (0.0200)
    assert simple.att == pytest.approx(-0.0400, abs=1e-4)
    assert simple.se == pytest.approx(0.0120, abs=1e-4)
    assert dynamic.att == pytest.approx(-0.0772, abs=1e-4)
    assert dynamic.se == pytest.approx(0.0200, abs=1e-4)
    assert [c.las for c in result.cohorts] == [309, 20, 40, 131]
    assert [t.key for t in result.dynamic.terms] == [-3, -2, -1, 0, 1, 2, 3]
    assert len(result.group_time) == 12 and result.pretrend is not None
    assert result.twfe is not None and "comparison only" in result.twfe.label


def test_mpdta_bootstrap_is_seeded_and_gives_uniform_bands(mpdta: pd.DataFrame) -> None:
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    one = estimate(mpdta, control="nevertreated", bootstrap=199, seed=7, twfe=False)
    assert np.random.random() == expected  # the caller's global generator is left as it was
    two = estimate(mpdta, control="nevertreated", bootstrap=199, seed=7, twfe=False)
    assert one.to_json() == two.to_json()
    assert one.simple.overall.se == pytest.approx(one.simple.overall.analytic_se, rel=0.25)
    assert one.dynamic.critical_value > 1.96 and one.dynamic.band == "uniform (bootstrap)"
    parsed = json.loads(one.to_json())
    assert parsed["aggregations"]["dynamic"]["terms"][0]["key"] == -3


def test_stepped_wedge_uses_not_yet_treated_and_says_so() -> None:
    panel = simulate_sector(las=24, periods=6, waves=3, seed=4)
    result = estimate(panel, bootstrap=0)
    last = max(panel["first_treated_period"])
    assert [c.role for c in result.cohorts][-1] == "comparison only"
    assert all(c.cohort < last and c.period < last for c in result.group_time)
    assert any("stepped wedge" in n and "last wave" in n for n in result.notes)
    with pytest.raises(HeadwayError, match="notyettreated"):
        estimate(panel, control="nevertreated", bootstrap=0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.drop(columns="outcome"), "no column outcome"),
        (lambda p: p.drop(index=5), "gaps"),
        (lambda p: p[p["period"] != 3], "gaps"),
        (lambda p: pd.concat([p, p.iloc[[0]]]), "two rows"),
        (lambda p: p.assign(first_treated_period=0), "No LA"),
        (lambda p: p.assign(outcome=p["outcome"].astype(object).where(p.index != 3, "n/a")),
         "not a number"),
    ],
)  # fmt: skip
def test_bad_panels_are_refused_in_plain_words(change: object, message: str) -> None:
    panel = simulate_sector(las=12, periods=5, waves=2, seed=1)
    with pytest.raises(HeadwayError, match=message):
        estimate(change(panel), bootstrap=0)  # type: ignore[operator]


# Simulation


def test_coverage_of_the_simple_att_in_200_simulated_trials() -> None:
    covered = 0
    for trial in range(200):
        panel = simulate_sector(las=30, periods=6, waves=3, true_effect=2.0, seed=1000 + trial)
        overall = estimate(panel, bootstrap=0, twfe=False).simple.overall
        covered += overall.lower <= 2.0 <= overall.upper
    assert 0.90 <= covered / 200 <= 0.99, covered


def test_demo_trial_recovers_its_effect() -> None:
    result = estimate(simulate_sector(), bootstrap=999, seed=DEMO_SEED)
    overall = result.simple.overall
    assert overall.lower <= DEMO_EFFECT <= overall.upper
    assert overall.lower > 0  # and it is detected


# Report


def test_report_is_self_contained_and_accessible(tmp_path: Path) -> None:
    result = estimate(simulate_sector(), bootstrap=199, seed=DEMO_SEED)
    others = [
        TrialResult("Peer support", result, "assessments within 45 days (%)"),
        TrialResult("Guide", estimate(simulate_sector(true_effect=0.0, seed=3), bootstrap=0),
                    "assessments within 45 days (%)"),
        TrialResult("Tool", estimate(simulate_sector(true_effect=-6.0, seed=4), bootstrap=0),
                    "assessments within 45 days (%)"),
    ]  # fmt: skip
    table = what_works(others)
    assert list(table["trial"]) == ["Peer support", "Guide", "Tool"]
    assert list(table["evidence"]) == ["works: strong evidence", "unclear", "harms"]
    path = render_report(
        "Peer support for data teams", result, tmp_path / "report.html",
        outcome="assessments within 45 days (%)", comparison=table,
        period_labels={i + 1: f"2026Q{i + 1}" if i < 4 else f"2027Q{i - 3}" for i in range(8)},
    )  # fmt: skip
    html = path.read_text("utf-8")
    assert "<script" not in html and "http" not in html and "<link" not in html
    assert "<svg" in html and html.count("<caption>") >= 4 and 'scope="col"' in html
    assert 'scope="row"' in html and "2026Q2" in html and "comparison only" in html
    assert "It works." in html and "stepped wedge" in html and "Two-way fixed effects" in html


def test_verdict_is_cautious_for_observational_trials() -> None:
    result = estimate(simulate_sector(), bootstrap=0)
    verdict = judge(result, "timeliness", randomised=False)
    assert verdict.category == "works: moderate evidence"
    assert any("not randomised" in c for c in verdict.caveats)
    lower_is_better = judge(result, "re-referrals", higher_is_better=False)
    assert lower_is_better.category == "harms"
