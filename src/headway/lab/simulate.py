"""Simulated trials of a support approach with a known true effect (for the demo and tests).

Each synthetic LA has a lasting level of its own (LA effect), every period moves all LAs
together (a trend plus a period shock), and each LA-period has its own noise. LAs move onto
the support in waves, a stepped wedge by default (every LA is supported by the last
period); the support adds `true_effect` from the period it starts, growing by `dynamic`
per period after that when effects build up. The outcome reads as a percentage, such as
assessments completed within 45 working days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from headway.errors import HeadwayError
from headway.periods import wave_starts

DEMO_SEED = 2026
DEMO_LAS = 48
DEMO_PERIODS = 8  # quarters
DEMO_WAVES = 4
DEMO_EFFECT = 3.0  # percentage points


def simulate_sector(
    las: int = DEMO_LAS,
    periods: int = DEMO_PERIODS,
    waves: int = DEMO_WAVES,
    true_effect: float = DEMO_EFFECT,
    seed: int = DEMO_SEED,
    *,
    never_supported: int = 0,
    dynamic: float = 0.0,
    assignment: Mapping[str, int] | None = None,
    starts: Sequence[int] | None = None,
    level: float = 75.0,
    la_sd: float = 8.0,
    trend: float = 0.5,
    period_sd: float = 1.0,
    noise_sd: float = 3.0,
) -> pd.DataFrame:
    """A simulated trial: one row per LA and period with `la`, `period` (1..periods),
    `outcome`, `first_treated_period` (0 for never), `wave` (0 for never) and
    `true_effect` (the support's true effect in that LA-period, 0 without it).

    LAs are `SYN001`, `SYN002`, ... shared at random (from `seed`) between the waves, with
    `never_supported` of them never supported; or give `assignment` (LA code to wave
    number, 0 for never, as `headway.lab.allocate` makes) to simulate a real allocation;
    and `starts` (each wave's first supported period) to override `wave_starts`.
    """
    rng = np.random.default_rng(seed)
    first_periods = list(starts) if starts is not None else wave_starts(periods, waves)
    if len(first_periods) != waves or not all(1 < s <= periods for s in first_periods):
        raise HeadwayError(f"Give {waves} wave starts between period 2 and {periods}.")
    codes, wave = _waves(las, waves, never_supported, assignment, rng)
    first = np.asarray([0, *first_periods])[wave]
    period = np.arange(1, periods + 1)
    period_effect = trend * (period - 1) + rng.normal(0, period_sd, periods)
    la_effect = rng.normal(0, la_sd, len(codes))
    since = period[None, :] - first[:, None]
    supported = (first[:, None] > 0) & (since >= 0)
    effect = np.where(supported, true_effect + dynamic * since, 0.0)
    noise = rng.normal(0, noise_sd, (len(codes), periods))
    outcome = level + la_effect[:, None] + period_effect[None, :] + effect + noise
    return pd.DataFrame({
        "la": np.repeat(codes, periods),
        "period": np.tile(period, len(codes)),
        "outcome": outcome.reshape(-1),
        "first_treated_period": np.repeat(first, periods),
        "wave": np.repeat(wave, periods),
        "true_effect": effect.reshape(-1),
    })  # fmt: skip


def _waves(
    las: int,
    waves: int,
    never: int,
    assignment: Mapping[str, int] | None,
    rng: np.random.Generator,
) -> tuple[list[str], np.ndarray]:
    if assignment is not None:
        codes = sorted(assignment)
        wave = np.array([assignment[c] for c in codes])
        if len(codes) < 2 or wave.min() < 0 or wave.max() > waves:
            raise HeadwayError(f"An assignment gives each LA a wave from 1 to {waves} (0: never).")
        return codes, wave
    if las < waves + never or never < 0:
        raise HeadwayError(f"{las} LAs cannot fill {waves} waves and {never} never supported.")
    codes = [f"SYN{i:03d}" for i in range(1, las + 1)]
    supported = np.arange(las - never) % waves + 1
    wave = np.concatenate([np.zeros(never, dtype=int), supported])
    return codes, rng.permutation(wave)
