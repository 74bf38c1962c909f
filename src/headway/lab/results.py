"""A registered trial's results: its estimate from the stored outcomes, and its report with
the what-works table across every trial that has outcomes."""

from __future__ import annotations

from pathlib import Path

from headway import periods
from headway.errors import HeadwayError
from headway.lab.estimate import Control, Estimate, estimate
from headway.lab.model import Trial
from headway.lab.panel import estimation_table
from headway.lab.report import TrialResult, render_report, what_works
from headway.lab.store import Lab


def estimate_trial(
    lab: Lab,
    trial: Trial,
    outcome: str | None = None,
    control: Control = "notyettreated",
    bootstrap: int = 999,
    seed: int = 1,
) -> Estimate:
    table = estimation_table(lab, trial, outcome or trial.primary_outcome)
    return estimate(table, control, bootstrap, seed)


def write_trial_report(
    lab: Lab,
    name: str,
    html: Path,
    bootstrap: int = 999,
    seed: int = 1,
    known_effect: float | None = None,
) -> Path:
    """The trial's report, with every trial that has outcomes ranked in what works."""
    chosen = lab.trial(name)
    results = [
        TrialResult(
            t.name,
            estimate_trial(lab, t, bootstrap=bootstrap, seed=seed),
            t.primary_outcome.replace("_", " "),
            t.design == "stepped wedge",
            t.higher_is_better,
        )
        for t in lab.trials()
        if lab.outcomes_loaded(t)
    ]
    mine = next((r for r in results if r.title == name), None)
    if mine is None:
        raise HeadwayError(
            f"'{name}' has no outcomes loaded yet.",
            f"Load them: headway lab outcomes '{name}' PANEL.csv",
        )
    quarters = periods.between(chosen.first_period, chosen.last_period)
    html.parent.mkdir(parents=True, exist_ok=True)
    return render_report(
        name,
        mine.estimate,
        html,
        outcome=mine.outcome,
        approach=lab.approach(chosen.approach_id).name,
        randomised=mine.randomised,
        higher_is_better=chosen.higher_is_better,
        period_labels={i + 1: q for i, q in enumerate(quarters)},
        comparison=what_works(results),
        known_effect=known_effect,
    )
