"""How likely a trial is to detect an effect of a given size (its power).

A trial design is a matrix with one row per LA (a "cluster") and one column per period: 1
where the LA has the support approach in that period, 0 where it has not. A stepped wedge
starts every LA without the support and moves a wave of LAs onto it at each step.

- `hussey_hughes_power`: the closed form of Hussey and Hughes (2007) for the linear mixed
  model with a random LA effect and fixed period effects, analysed with the variance
  components known. For a binary outcome the variance is that of the mean of the two
  proportions, p(1 - p), as R's swCRTdesign (swPwr) does; it reproduces swPwr's published
  example (24 LAs in 4 waves of 6, 5 periods, 120 people per LA and period, 5% against
  3.5%, tau 0.01: power 0.786).
- `simulated_power`: for what the formula does not cover (LAs of unequal size, a
  staggered design analysed by Callaway and Sant'Anna), simulate the trial many times from
  the same model and count how often the analysis finds the effect; seeded, with its Monte
  Carlo standard error.

Words used in the parameters: `sigma` is the standard deviation of one person's outcome
(or, for outcomes measured per LA, of an LA's period-to-period noise, with `per_cell=1`);
`tau` is the standard deviation of the LA effect (how far LAs sit apart on the outcome
for reasons that persist); `icc` is the share of the total variance that lies between LAs,
tau^2 / (tau^2 + sigma^2), an alternative to giving `tau`; `per_cell` is the number of
people measured per LA and period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, stats  # type: ignore[import-untyped]

from headway.errors import HeadwayError
from headway.lab.estimate import estimate

Design = NDArray[np.int_]
PowerMethod = Literal["fixed_effects", "callaway_santanna"]


@dataclass(frozen=True)
class PowerResult:
    """Power estimated by simulation: the share of `sims` simulated trials whose analysis
    found the effect at the chosen significance level, and its Monte Carlo standard error
    sqrt(power (1 - power) / sims)."""

    power: float
    mcse: float
    sims: int
    method: str


def stepped_wedge_design(
    clusters: int | Sequence[int],
    steps: int | None = None,
    *,
    baseline_periods: int = 1,
    extra_periods: int = 0,
) -> Design:
    """The 0/1 design of a stepped wedge: LAs in rows, periods in columns.

    `clusters` is either the number of LAs, shared as evenly as possible over `steps`
    waves (earlier waves take any remainder), or the number of LAs in each wave, as R's
    swDsn(c(6, 6, 6, 6)) takes it. Every LA starts without the support for
    `baseline_periods`; wave k (from 0) starts in period `baseline_periods + k`; after the
    last step `extra_periods` more periods follow with every LA supported.
    """
    if isinstance(clusters, int):
        if steps is None or steps < 1:
            raise HeadwayError("A stepped wedge needs at least one step.", "Give steps=...")
        if clusters < steps:
            raise HeadwayError(f"{clusters} LAs cannot fill {steps} waves.", "Use fewer steps.")
        per_wave = [clusters // steps + (1 if k < clusters % steps else 0) for k in range(steps)]
    else:
        per_wave = list(clusters)
        if steps is not None and steps != len(per_wave):
            raise HeadwayError(f"{len(per_wave)} wave sizes were given for {steps} steps.")
    if not per_wave or min(per_wave) < 1:
        raise HeadwayError("Every wave needs at least one LA.")
    if baseline_periods < 1 or extra_periods < 0:
        raise HeadwayError("A stepped wedge needs at least one baseline period before any LA.")
    periods = baseline_periods + len(per_wave) + extra_periods
    starts = np.repeat(baseline_periods + np.arange(len(per_wave)), per_wave)
    return (np.arange(periods)[None, :] >= starts[:, None]).astype(np.int_)


def hussey_hughes_power(
    design: NDArray[np.integer] | Sequence[Sequence[int]],
    effect: float,
    *,
    sigma: float | None = None,
    baseline: float | None = None,
    tau: float | None = None,
    icc: float | None = None,
    per_cell: int = 1,
    alpha: float = 0.05,
) -> float:
    """Power of a two-sided test of the support's effect (Hussey and Hughes 2007).

    Give `sigma` for a continuous outcome, or `baseline` (the proportion without the
    support) for a binary one, when `effect` is the difference in proportions; and one of
    `tau` or `icc`. Power counts both tails, as swPwr does.
    """
    x = _design(design)
    cell_var, tau2 = _variances(effect, sigma, baseline, tau, icc, per_cell)
    se = float(np.sqrt(_hh_variance(x, cell_var, tau2)))
    return _two_sided_power(abs(effect) / se, alpha)


def minimum_detectable_effect(
    design: NDArray[np.integer] | Sequence[Sequence[int]],
    *,
    sigma: float,
    tau: float | None = None,
    icc: float | None = None,
    per_cell: int = 1,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """The smallest effect on a continuous outcome that the design detects with the given
    power (Hussey and Hughes): the effect whose `hussey_hughes_power` equals `power`."""
    if not alpha < power < 1:
        raise HeadwayError(f"Power must be between alpha ({alpha}) and 1, not {power}.")
    cell_var, tau2 = _variances(0.0, sigma, None, tau, icc, per_cell)
    se = float(np.sqrt(_hh_variance(_design(design), cell_var, tau2)))
    z = optimize.brentq(lambda z: _two_sided_power(z, alpha) - power, 0.0, 40.0, xtol=1e-12)
    return float(z) * se


def simulated_power(
    design: NDArray[np.integer] | Sequence[Sequence[int]],
    effect: float,
    *,
    sigma: float,
    tau: float | None = None,
    icc: float | None = None,
    per_cell: int = 1,
    cluster_sizes: Sequence[int] | None = None,
    method: PowerMethod = "fixed_effects",
    sims: int = 1000,
    alpha: float = 0.05,
    seed: int = 0,
) -> PowerResult:
    """Power by simulating the trial `sims` times (continuous outcome, seeded).

    Each simulated LA-period mean is effect x design + LA effect (sd tau) + noise (sd
    sigma / sqrt(people in that LA)); LAs may differ in size (`cluster_sizes`, people per
    LA and period, instead of `per_cell`). Period effects are left out: both analyses
    remove them exactly. The analysis is either

    - "fixed_effects": weighted least squares on the LA-period means with LA and period
      fixed effects (weights = people per LA), a t-test of the effect; valid for any 0/1
      design, LAs of any size, and no assumption about how LAs differ. It is fast: every
      simulated trial shares one design, so all are solved in one matrix product.
    - "callaway_santanna": `headway.lab.estimate` on each simulated trial, its simple ATT
      tested with the analytic standard error; the design must be staggered (an LA that
      starts stays supported). About 0.05 to 0.1 s a trial.
    """
    x = _design(design)
    if sims < 10:
        raise HeadwayError(f"{sims} simulations are too few to estimate power.", "Use 500+.")
    sizes = _cluster_sizes(x, per_cell, cluster_sizes)
    _, tau2 = _variances(effect, sigma, None, tau, icc, 1)
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((sims, *x.shape)) * (sigma / np.sqrt(sizes))[None, :, None]
    la_effects = rng.standard_normal((sims, x.shape[0], 1)) * np.sqrt(tau2)
    y = effect * x[None, :, :] + la_effects + noise
    if method == "fixed_effects":
        hits = _fixed_effects_rejections(x, sizes, y, alpha)
    elif method == "callaway_santanna":
        hits = _callaway_santanna_rejections(x, y, alpha)
    else:
        raise HeadwayError(f"Unknown power method {method!r}.", "Use fixed_effects.")
    power = float(np.mean(hits))
    return PowerResult(power, float(np.sqrt(power * (1 - power) / sims)), sims, method)


def _design(design: NDArray[np.integer] | Sequence[Sequence[int]]) -> Design:
    x = np.asarray(design)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise HeadwayError("A design needs at least two LAs (rows) and two periods (columns).")
    if not np.isin(x, (0, 1)).all():
        raise HeadwayError("A design holds only 0 (no support) and 1 (support).")
    if x.all() or not x.any():
        raise HeadwayError("In this design no LA changes: nothing can be compared.")
    return x.astype(np.int_)


def _variances(
    effect: float,
    sigma: float | None,
    baseline: float | None,
    tau: float | None,
    icc: float | None,
    per_cell: int,
) -> tuple[float, float]:
    """(variance of one LA-period mean, variance of the LA effect)."""
    if (sigma is None) == (baseline is None):
        raise HeadwayError(
            "Give sigma (a continuous outcome) or baseline (a proportion), not both."
        )
    if baseline is not None:
        treated = baseline + effect
        if not (0 < baseline < 1 and 0 < treated < 1):
            raise HeadwayError(f"Proportions must lie between 0 and 1: {baseline} and {treated}.")
        mean = baseline + effect / 2  # swCRTdesign's variance: at the mean of the two
        person_var = mean * (1 - mean)
    else:
        assert sigma is not None
        if sigma <= 0:
            raise HeadwayError(f"sigma must be positive, not {sigma}.")
        person_var = sigma**2
    if per_cell < 1:
        raise HeadwayError(f"At least one person per LA and period, not {per_cell}.")
    if (tau is None) == (icc is None):
        raise HeadwayError("Give tau (the SD of the LA effect) or icc, one of the two.")
    if icc is not None:
        if not 0 <= icc < 1:
            raise HeadwayError(f"An ICC lies between 0 and 1, not {icc}.")
        tau2 = icc * person_var / (1 - icc)
    else:
        assert tau is not None
        if tau < 0:
            raise HeadwayError(f"tau must not be negative, not {tau}.")
        tau2 = tau**2
    return person_var / per_cell, tau2


def _hh_variance(x: Design, cell_var: float, tau2: float) -> float:
    """Variance of the effect estimate, Hussey and Hughes (2007), equation 8."""
    clusters, periods = x.shape
    u = float(x.sum())
    w = float((x.sum(axis=0) ** 2).sum())
    v = float((x.sum(axis=1) ** 2).sum())
    numerator = clusters * cell_var * (cell_var + periods * tau2)
    denominator = (clusters * u - w) * cell_var + (
        u**2 + clusters * periods * u - periods * w - clusters * v
    ) * tau2
    if denominator <= 0:
        raise HeadwayError("This design cannot separate the support's effect from time.")
    return float(numerator / denominator)


def _two_sided_power(z: float, alpha: float) -> float:
    if not 0 < alpha < 1:
        raise HeadwayError(f"alpha must be between 0 and 1, not {alpha}.")
    crit = float(stats.norm.ppf(1 - alpha / 2))
    return float(stats.norm.cdf(z - crit) + stats.norm.cdf(-z - crit))


def _cluster_sizes(x: Design, per_cell: int, sizes: Sequence[int] | None) -> NDArray[np.float64]:
    if sizes is None:
        return np.full(x.shape[0], float(per_cell))
    out = np.asarray(sizes, dtype=float)
    if out.shape != (x.shape[0],) or (out < 1).any():
        raise HeadwayError(f"Give one size of at least 1 for each of the {x.shape[0]} LAs.")
    return out


def _fixed_effects_rejections(
    x: Design, sizes: NDArray[np.float64], y: NDArray[np.float64], alpha: float
) -> NDArray[np.bool_]:
    """Weighted least squares with LA and period dummies, solved for every simulation at
    once (the regressors are shared); a two-sided t-test of the effect in each."""
    clusters, periods = x.shape
    la = np.repeat(np.eye(clusters), periods, axis=0)
    period = np.tile(np.eye(periods)[:, 1:], (clusters, 1))
    regressors = np.column_stack([x.reshape(-1), la, period])
    root_w = np.sqrt(np.repeat(sizes, periods))
    xw = regressors * root_w[:, None]
    yw = y.reshape(len(y), -1).T * root_w[:, None]
    coef, *_ = np.linalg.lstsq(xw, yw, rcond=None)
    rank = np.linalg.matrix_rank(xw)
    dof = xw.shape[0] - rank
    if dof < 1:
        raise HeadwayError("Too few LA-periods to estimate the noise.")
    resid = yw - xw @ coef
    s2 = (resid**2).sum(axis=0) / dof
    var_effect = np.linalg.pinv(xw.T @ xw)[0, 0] * s2
    t = coef[0] / np.sqrt(var_effect)
    crit = float(stats.t.ppf(1 - alpha / 2, dof))
    return np.asarray(np.abs(t) > crit)


def _callaway_santanna_rejections(
    x: Design, y: NDArray[np.float64], alpha: float
) -> NDArray[np.bool_]:
    if (np.diff(x, axis=1) < 0).any():
        raise HeadwayError("Callaway and Sant'Anna needs LAs that stay supported once started.")
    clusters, periods = x.shape
    first = np.where(x.any(axis=1), x.argmax(axis=1) + 1, 0)
    if (first == 1).any():
        raise HeadwayError("An LA supported from the first period has no before to compare.")
    crit = float(stats.norm.ppf(1 - alpha / 2))
    hits = np.zeros(len(y), dtype=bool)
    for i, sim in enumerate(y):
        panel = pd.DataFrame({
            "la": np.repeat(np.arange(clusters), periods),
            "period": np.tile(np.arange(1, periods + 1), clusters),
            "outcome": sim.reshape(-1),
            "first_treated_period": np.repeat(first, periods),
        })  # fmt: skip
        overall = estimate(panel, bootstrap=0, twfe=False).simple.overall
        hits[i] = abs(overall.att / overall.se) > crit
    return hits
