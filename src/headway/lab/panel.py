"""Outcome panels: a CSV of LA-by-quarter outcomes in, the estimator's table out.

A panel CSV has one row per LA and quarter: `la_code`, `period` (2026Q1), one column per
outcome named in the trial's analysis plan, and optionally `first_treated` (the quarter
the LA started the approach, blank if it never did) for staggered adoption. Every row and
value is accounted for: a blank value is a missing outcome (and says so), anything else
that is not a number stops the load with its line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from headway import periods
from headway.errors import HeadwayError
from headway.ingest.text_files import open_text, sniff_delimiter
from headway.lab.model import Trial
from headway.lab.store import Lab, Observed

NOT_OUTCOMES = ("la_code", "period", "first_treated")


@dataclass
class Panel:
    rows: list[Observed]
    adoptions: dict[str, str | None]
    missing: list[str] = field(default_factory=list)  # "line 7: outcome blank"
    lines: int = 0


def read_panel(path: Path, trial: Trial) -> Panel:
    if not path.is_file():
        raise HeadwayError(f"There is no file {path}.", "Check the path.")
    wanted = {trial.primary_outcome, *filter(None, trial.secondary_outcomes.split(","))}
    with open_text(path) as f:
        first = f.readline()
        f.seek(0)
        reader = csv.DictReader(f, delimiter=sniff_delimiter(first))
        heads = [h.strip() for h in reader.fieldnames or []]
        if "la_code" not in heads or "period" not in heads:
            raise HeadwayError(
                f"{path.name} has no la_code and period columns (it has: {', '.join(heads)}).",
                "A panel has one row per LA and quarter: la_code, period, then the outcomes.",
            )
        outcomes = [h for h in heads if h not in NOT_OUTCOMES]
        unknown = sorted(set(outcomes) - wanted)
        if unknown:
            raise HeadwayError(
                f"{path.name} has outcomes the analysis plan does not name: {', '.join(unknown)}.",
                f"The plan's outcomes are: {', '.join(sorted(wanted))}.",
            )
        panel = Panel([], {})
        for row in reader:
            panel.lines += 1
            where = f"line {reader.line_num}"
            la = (row.get("la_code") or "").strip()
            quarter = periods.label(*periods.parse(row.get("period") or ""))
            if "first_treated" in row:
                started = (row["first_treated"] or "").strip()
                panel.adoptions[la] = periods.label(*periods.parse(started)) if started else None
            for name in outcomes:
                text = (row.get(name) or "").strip()
                if not text:
                    panel.missing.append(f"{where}: {name} blank")
                    continue
                try:
                    value = float(text)
                except ValueError:
                    raise HeadwayError(
                        f"{path.name} {where}: {name} '{text}' is not a number.",
                        "Correct it (or leave it blank if unknown) and load the panel again.",
                    ) from None
                panel.rows.append(Observed(la, quarter, name, value))
    return panel


def estimation_table(lab: Lab, trial: Trial, outcome: str) -> pd.DataFrame:
    """One row per LA and period: la, period (1 = the trial's first quarter), outcome, and
    first_treated_period (0 = never), from the allocation or the recorded adoption."""
    quarters = periods.between(trial.first_period, trial.last_period)
    index = {q: i + 1 for i, q in enumerate(quarters)}
    started: dict[str, str | None] = {}
    allocated = lab.allocation(trial)
    if allocated is not None:
        started = {m.la_code: m.first_period for m in allocated[1]}
    started.update(lab.adoptions(trial))  # what actually happened overrides the allocation
    if not started:
        raise HeadwayError(
            f"'{trial.name}' has no allocation and no recorded adoption.",
            "Allocate it (headway lab allocate) or load a panel with a first_treated column.",
        )
    observed = lab.observations(trial, outcome)
    if not observed:
        raise HeadwayError(
            f"No {outcome} outcomes loaded for '{trial.name}'.",
            "Load them: headway lab outcomes TRIAL --panel FILE.csv",
        )
    return pd.DataFrame(
        {
            "la": [o.la_code for o in observed],
            "period": [index[o.period] for o in observed],
            "outcome": [o.value for o in observed],
            "first_treated_period": [
                index[q] if (q := started.get(o.la_code)) else 0 for o in observed
            ],
        }
    ).sort_values(["la", "period"], ignore_index=True)
