"""Where the lab keeps its trials: SQLite in the Centre's folder, or PostgreSQL by URL.

A trial's analysis plan is stored, with its SHA-256, when the trial is registered, before
any outcome is loaded. An allocation is recorded once; allocating again needs a reason, makes
a new version and is audited, as is every correction to a loaded outcome. Nothing about a
trial changes without an audit row saying what and why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway import periods
from headway.db import Store, centre_url
from headway.errors import HeadwayError
from headway.lab.model import (
    DESIGNS,
    Adoption,
    Allocation,
    Approach,
    Audit,
    Observation,
    Participant,
    Trial,
    WaveMember,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version_lab"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def lab_url(db: str | None, folder: Path | None = None) -> str:
    """--db if given, else the Centre's database in its folder ($HEADWAY_CENTRE)."""
    return centre_url(db, folder, "lab")


@dataclass(frozen=True)
class Observed:
    la_code: str
    period: str
    outcome: str
    value: float


class Lab(Store):
    migrations = MIGRATIONS
    version_table = VERSION_TABLE
    what = "lab"

    def _audit(self, s: Session, trial: Trial | None, action: str, detail: str) -> None:
        s.add(Audit(trial_id=trial.id if trial else None, at=_now(), action=action, detail=detail))

    # Approaches ---------------------------------------------------------------------------

    def add_approach(
        self, name: str, description: str, intended_change: str, cost_gbp: float | None
    ) -> Approach:
        if not name.strip():
            raise HeadwayError("An approach needs a name.", "")
        with self.session() as s:
            if s.scalar(select(Approach).where(Approach.name == name)) is not None:
                raise HeadwayError(f"There is already an approach called '{name}'.", "")
            row = Approach(name=name, description=description, intended_change=intended_change,
                           cost_gbp=cost_gbp, created=_now())  # fmt: skip
            s.add(row)
            s.flush()
            self._audit(s, None, "approach added", name)
        return row

    def approaches(self) -> list[Approach]:
        with self.session() as s:
            return list(s.scalars(select(Approach).order_by(Approach.name)))

    def approach(self, approach_id: int) -> Approach:
        with self.session() as s:
            row = s.get(Approach, approach_id)
        if row is None:
            raise HeadwayError(f"No approach {approach_id}.", "")
        return row

    # Trials -------------------------------------------------------------------------------

    def register(
        self,
        name: str,
        approach: str,
        design: str,
        first_period: str,
        last_period: str,
        primary: str,
        secondary: Sequence[str],
        plan: str,
        higher_is_better: bool = True,
    ) -> Trial:
        """Register a trial with its analysis plan, before any outcome is seen."""
        if design not in DESIGNS:
            raise HeadwayError(f"'{design}' is not a design.", f"Use one of: {', '.join(DESIGNS)}.")
        periods.between(first_period, last_period)
        if not plan.strip():
            raise HeadwayError(
                "A trial needs its analysis plan before it starts.",
                "Write what will be estimated, how, and what counts as success; give --plan FILE.",
            )
        with self.session() as s:
            chosen = s.scalar(select(Approach).where(Approach.name == approach))
            if chosen is None:
                raise HeadwayError(
                    f"No approach called '{approach}'.", "Add it: headway lab approach add NAME"
                )
            if s.scalar(select(Trial).where(Trial.name == name)) is not None:
                raise HeadwayError(f"There is already a trial called '{name}'.", "")
            trial = Trial(
                name=name, approach_id=chosen.id, design=design,
                first_period=periods.label(*periods.parse(first_period)),
                last_period=periods.label(*periods.parse(last_period)),
                primary_outcome=primary, secondary_outcomes=",".join(secondary),
                higher_is_better=higher_is_better,
                analysis_plan=plan, plan_sha256=hashlib.sha256(plan.encode()).hexdigest(),
                registered=_now(),
            )  # fmt: skip
            s.add(trial)
            s.flush()
            self._audit(s, trial, "registered", f"analysis plan sha256 {trial.plan_sha256}")
        return trial

    def trial(self, name: str) -> Trial:
        with self.session() as s:
            row = s.scalar(select(Trial).where(Trial.name == name))
        if row is None:
            raise HeadwayError(f"No trial called '{name}'.", "See them with: headway lab trials")
        return row

    def trials(self) -> list[Trial]:
        with self.session() as s:
            return list(s.scalars(select(Trial).order_by(Trial.name)))

    def add_participants(self, trial: Trial, las: Sequence[Participant]) -> int:
        """Add LAs to a trial before it is allocated; returns how many were new."""
        with self.session() as s:
            if s.scalar(select(Allocation).where(Allocation.trial_id == trial.id)) is not None:
                raise HeadwayError(
                    f"'{trial.name}' is already allocated: adding LAs now would break it.",
                    "Allocate again with --reason to include them; that is audited.",
                )
            have = set(
                s.scalars(select(Participant.la_code).where(Participant.trial_id == trial.id))
            )
            new = [p for p in las if p.la_code not in have]
            for p in new:
                p.trial_id = trial.id
                s.add(p)
            self._audit(s, trial, "participants added", ", ".join(p.la_code for p in new))
        return len(new)

    def participants(self, trial: Trial) -> list[Participant]:
        with self.session() as s:
            query = select(Participant).where(Participant.trial_id == trial.id)
            return list(s.scalars(query.order_by(Participant.la_code)))

    # Allocation ---------------------------------------------------------------------------

    def record_allocation(
        self, trial: Trial, waves: Mapping[str, int], n_waves: int, seed: int, reason: str
    ) -> Allocation:
        """Record an allocation of LAs to waves. The first needs no reason; any later one
        does, and the audit says which LAs moved."""
        starts = periods.wave_start_quarters(
            periods.between(trial.first_period, trial.last_period), n_waves
        )
        with self.session() as s:
            previous = self._latest_allocation(s, trial)
            if previous is not None and not reason.strip():
                raise HeadwayError(
                    f"'{trial.name}' was allocated on {previous.created:%d %B %Y} (seed "
                    f"{previous.seed}); an allocation is not changed silently.",
                    "Give --reason to allocate again; the change is audited.",
                )
            row = Allocation(trial_id=trial.id, version=(previous.version + 1) if previous else 1,
                             seed=seed, waves=n_waves, reason=reason, created=_now())  # fmt: skip
            s.add(row)
            s.flush()
            for la, wave in sorted(waves.items()):
                s.add(WaveMember(allocation_id=row.id, la_code=la, wave=wave,
                                 first_period=starts[wave - 1]))  # fmt: skip
            moved = ""
            if previous is not None:
                before = self._waves(s, previous)
                changed = sorted(la for la in waves if before.get(la) != waves[la])
                moved = f"; moved: {', '.join(changed) or 'none'}"
            detail = f"seed {seed}, {n_waves} waves{moved}; reason: {reason or 'first'}"
            self._audit(s, trial, f"allocated (version {row.version})", detail)
        return row

    def _latest_allocation(self, s: Session, trial: Trial) -> Allocation | None:
        query = select(Allocation).where(Allocation.trial_id == trial.id)
        return s.scalar(query.order_by(Allocation.version.desc()).limit(1))

    def _waves(self, s: Session, allocation: Allocation) -> dict[str, int]:
        query = select(WaveMember).where(WaveMember.allocation_id == allocation.id)
        return {m.la_code: m.wave for m in s.scalars(query)}

    def allocation(self, trial: Trial) -> tuple[Allocation, list[WaveMember]] | None:
        with self.session() as s:
            latest = self._latest_allocation(s, trial)
            if latest is None:
                return None
            query = select(WaveMember).where(WaveMember.allocation_id == latest.id)
            return latest, list(s.scalars(query.order_by(WaveMember.wave, WaveMember.la_code)))

    # Outcomes -----------------------------------------------------------------------------

    def load_outcomes(
        self, trial: Trial, rows: Sequence[Observed], source: str
    ) -> tuple[int, int, int]:
        """Store outcomes: (added, unchanged, corrected). A corrected value is audited."""
        allowed = {trial.primary_outcome, *filter(None, trial.secondary_outcomes.split(","))}
        quarters = set(periods.between(trial.first_period, trial.last_period))
        added = unchanged = corrected = 0
        with self.session() as s:
            las = set(
                s.scalars(select(Participant.la_code).where(Participant.trial_id == trial.id))
            )
            for r in rows:
                problem = (
                    f"outcome '{r.outcome}' is not in the analysis plan" if r.outcome not in allowed
                    else f"{r.period} is outside the trial" if r.period not in quarters
                    else f"LA {r.la_code} is not in the trial" if r.la_code not in las
                    else ""
                )  # fmt: skip
                if problem:
                    raise HeadwayError(
                        f"{source}: {problem}; nothing was loaded.",
                        "Correct the panel and load it again.",
                    )
                key = (trial.id, r.la_code, r.period, r.outcome)
                old = s.get(Observation, key)
                if old is None:
                    s.add(Observation(trial_id=trial.id, la_code=r.la_code, period=r.period,
                                      outcome=r.outcome, value=r.value, source=source))  # fmt: skip
                    added += 1
                elif old.value == r.value:
                    unchanged += 1
                else:
                    self._audit(s, trial, "outcome corrected",
                                f"{r.la_code} {r.period} {r.outcome}: {old.value} -> {r.value} "
                                f"({source})")  # fmt: skip
                    old.value, old.source = r.value, source
                    corrected += 1
            counts = f"{added} added, {unchanged} unchanged, {corrected} corrected"
            self._audit(s, trial, "outcomes loaded", f"{source}: {counts}")
        return added, unchanged, corrected

    def observations(self, trial: Trial, outcome: str) -> list[Observation]:
        with self.session() as s:
            query = select(Observation).where(
                Observation.trial_id == trial.id, Observation.outcome == outcome
            )
            return list(s.scalars(query))

    def outcomes_loaded(self, trial: Trial) -> int:
        with self.session() as s:
            query = select(func.count()).select_from(Observation)
            return int(s.scalar(query.where(Observation.trial_id == trial.id)) or 0)

    def set_adoptions(self, trial: Trial, adoptions: Mapping[str, str | None], source: str) -> None:
        with self.session() as s:
            for la, first in adoptions.items():
                s.merge(Adoption(trial_id=trial.id, la_code=la, first_period=first))
            self._audit(s, trial, "adoption recorded", f"{len(adoptions)} LAs from {source}")

    def adoptions(self, trial: Trial) -> dict[str, str | None]:
        with self.session() as s:
            query = select(Adoption).where(Adoption.trial_id == trial.id)
            return {a.la_code: a.first_period for a in s.scalars(query)}

    def audit(self, trial: Trial | None = None) -> list[Audit]:
        with self.session() as s:
            query = select(Audit).order_by(Audit.id)
            if trial is not None:
                query = query.where(Audit.trial_id == trial.id)
            return list(s.scalars(query))
