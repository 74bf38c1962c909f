"""The lab's tables: support approaches, trials with their pre-registered analysis plans,
participating LAs, allocations (never changed silently), outcomes and the audit log.

Only aggregate, LA-level figures are stored here: an outcome is one number per LA and
period, never anything about a child.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DESIGNS = ("stepped wedge", "staggered adoption")


class Base(DeclarativeBase):
    pass


class Approach(Base):
    """A support approach the Centre offers: a guide, a tool, peer support, analyst time."""

    __tablename__ = "lab_approaches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text)
    intended_change: Mapped[str] = mapped_column(Text)  # what it is meant to change
    cost_gbp: Mapped[float | None] = mapped_column(Float, nullable=True)  # per LA
    created: Mapped[datetime] = mapped_column(DateTime)


class Trial(Base):
    """A trial of one approach, its design and its analysis plan, fixed when registered."""

    __tablename__ = "lab_trials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    approach_id: Mapped[int] = mapped_column(ForeignKey("lab_approaches.id"))
    design: Mapped[str] = mapped_column(String(30))
    first_period: Mapped[str] = mapped_column(String(6))  # a quarter: 2026Q1
    last_period: Mapped[str] = mapped_column(String(6))
    primary_outcome: Mapped[str] = mapped_column(String(100))
    secondary_outcomes: Mapped[str] = mapped_column(Text)  # comma-separated names
    higher_is_better: Mapped[bool] = mapped_column(Boolean)  # for the primary outcome
    analysis_plan: Mapped[str] = mapped_column(Text)
    plan_sha256: Mapped[str] = mapped_column(String(64))
    registered: Mapped[datetime] = mapped_column(DateTime)


class Participant(Base):
    """An LA in a trial, with what allocation is stratified by."""

    __tablename__ = "lab_participants"

    trial_id: Mapped[int] = mapped_column(
        ForeignKey("lab_trials.id", ondelete="CASCADE"), primary_key=True
    )
    la_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    region: Mapped[str] = mapped_column(String(60))
    size: Mapped[str] = mapped_column(String(20))  # a size band: small, medium, large
    ofsted: Mapped[str] = mapped_column(String(40))  # the latest overall judgement


class Allocation(Base):
    """One allocation of a trial's LAs to waves; a later one supersedes it, with a reason."""

    __tablename__ = "lab_allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("lab_trials.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    waves: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime)


class WaveMember(Base):
    __tablename__ = "lab_wave_members"

    allocation_id: Mapped[int] = mapped_column(
        ForeignKey("lab_allocations.id", ondelete="CASCADE"), primary_key=True
    )
    la_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    wave: Mapped[int] = mapped_column(Integer)
    first_period: Mapped[str] = mapped_column(String(6))  # when the LA starts the approach


class Observation(Base):
    """One outcome for one LA in one period."""

    __tablename__ = "lab_observations"

    trial_id: Mapped[int] = mapped_column(
        ForeignKey("lab_trials.id", ondelete="CASCADE"), primary_key=True
    )
    la_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300))


class Adoption(Base):
    """When an LA actually started the approach (staggered adoption, or a stepped wedge's
    LAs that started late): the period, or none for an LA that never did."""

    __tablename__ = "lab_adoptions"

    trial_id: Mapped[int] = mapped_column(
        ForeignKey("lab_trials.id", ondelete="CASCADE"), primary_key=True
    )
    la_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    first_period: Mapped[str | None] = mapped_column(String(6), nullable=True)


class Audit(Base):
    """Every change to a trial after it is registered, and why."""

    __tablename__ = "lab_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trial_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text)
