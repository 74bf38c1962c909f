"""The desk's tables: requests, their match suggestions, the team and its leave.

Stored with SQLAlchemy 2 so one desk can live in the LA workspace (SQLite, the default)
or in PostgreSQL for a team sharing one desk. The schema is created and changed only by
the Alembic migrations in headway/desk/migrations; these classes describe it for the ORM.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Where a request came from, in the words the desk shows.
SOURCES = (
    "inspector",
    "service leader",
    "national programme",
    "pack requirement",
    "pack diff",
    "standard diff",
    "other",
)
STATUSES = ("new", "matched", "planned", "in progress", "done", "declined")
OPEN_STATUSES = ("new", "matched", "planned", "in progress")
# The requester's level, lowest first: the priority score gives senior asks more weight.
LEVELS = ("team", "manager", "head of service", "director", "inspector", "national")
COST_OF_DELAY = ("none", "low", "medium", "high")


class Base(DeclarativeBase):
    pass


class Request(Base):
    """One demand on the data function."""

    __tablename__ = "desk_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # what makes a re-import a repeat
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(30))
    requester: Mapped[str] = mapped_column(String(200), default="")
    requester_level: Mapped[str] = mapped_column(String(30), default="team")
    received: Mapped[date] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    statutory: Mapped[bool] = mapped_column(Boolean, default=False)
    inspection: Mapped[bool] = mapped_column(Boolean, default=False)
    children_affected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    effort_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    cost_of_delay: Mapped[str] = mapped_column(String(10), default="low")
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    answered_by: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    pack: Mapped[str] = mapped_column(String(100), default="")
    origin: Mapped[str] = mapped_column(String(300), default="")  # file, pack or diff it came from
    created: Mapped[datetime] = mapped_column(DateTime)
    updated: Mapped[datetime] = mapped_column(DateTime)


class Match(Base):
    """A candidate that may already answer a request, best first."""

    __tablename__ = "desk_matches"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("desk_requests.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)


class Analyst(Base):
    """A member of the team and the hours a week they give the desk."""

    __tablename__ = "desk_team"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    hours_per_week: Mapped[float] = mapped_column(Float)


class Leave(Base):
    __tablename__ = "desk_leave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analyst: Mapped[str] = mapped_column(
        ForeignKey("desk_team.name", ondelete="CASCADE", onupdate="CASCADE")
    )
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)


class AdoptedPack(Base):
    """A change pack the LA has adopted: its requirements and milestones feed the desk."""

    __tablename__ = "desk_adopted_packs"

    pack: Mapped[str] = mapped_column(String(100), primary_key=True)
    adopted: Mapped[datetime] = mapped_column(DateTime)


class Intake(Base):
    """One import, with its reconciliation: rows read = added + repeats + not read."""

    __tablename__ = "desk_intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(DateTime)
    rows_read: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    repeats: Mapped[int] = mapped_column(Integer)
    not_read: Mapped[int] = mapped_column(Integer)
