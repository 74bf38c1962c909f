"""The hub's tables: tokens (hashed), LAs, submissions (versioned per LA and period),
deliberation statements and votes, the asks ledger, and the audit of every read and write.

Nothing here is about a child: submissions are aggregate and disclosure-controlled before
they leave the LA, and the hub refuses any payload with child-level fields.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("la submitter", "la viewer", "hub analyst", "admin")
# Who may do what: the API (hub.app) and the hub's pages (web.hub_pages) both check these.
LA_ROLES = ("la submitter", "la viewer")  # an LA's own raw submissions are theirs to read
CENTRE_ROLES = ("hub analyst", "admin")
SUBMITTERS = ("la submitter",)
VOTERS = LA_ROLES
STATEMENT_WRITERS = (*LA_ROLES, "hub analyst")
ANALYSTS = CENTRE_ROLES  # the deliberation's opinion groups
ASK_EDITORS = CENTRE_ROLES
AUDITORS = ("admin",)
ASK_STATUSES = ("drafted", "raised", "answered", "accepted", "rejected", "withdrawn")


class Base(DeclarativeBase):
    pass


class Token(Base):
    __tablename__ = "hub_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # the public part
    secret_hash: Mapped[str] = mapped_column(String(200))  # argon2id of the secret part
    role: Mapped[str] = mapped_column(String(20))
    la_code: Mapped[str | None] = mapped_column(String(9), nullable=True)
    label: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LocalAuthority(Base):
    __tablename__ = "hub_las"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(60))


class Submission(Base):
    """One version of an LA's submission for a period; a correction supersedes it."""

    __tablename__ = "hub_submissions"
    # Two copies of one submission arriving at once cannot both become the same version.
    __table_args__ = (UniqueConstraint("la_code", "period", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    la_code: Mapped[str] = mapped_column(String(9), index=True)
    period: Mapped[str] = mapped_column(String(6))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # the JSON as received
    received: Mapped[datetime] = mapped_column(DateTime)
    token_id: Mapped[str] = mapped_column(String(16))
    superseded: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Statement(Base):
    __tablename__ = "hub_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(100), index=True)  # e.g. a proposed pack version
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(16))  # a token id
    created: Mapped[datetime] = mapped_column(DateTime)


class Vote(Base):
    __tablename__ = "hub_votes"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("hub_statements.id", ondelete="CASCADE"), primary_key=True
    )
    participant: Mapped[str] = mapped_column(String(16), primary_key=True)  # a token id
    value: Mapped[int] = mapped_column(Integer)  # 1 agree, -1 disagree, 0 pass
    at: Mapped[datetime] = mapped_column(DateTime)


class Ask(Base):
    """A sector ask to national government, with its evidence and the response."""

    __tablename__ = "hub_asks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(300))
    ask: Mapped[str] = mapped_column(Text)
    pack: Mapped[str] = mapped_column(String(100))  # the evidence: hub evidence PACK
    topic: Mapped[str] = mapped_column(String(100))  # the deliberation
    status: Mapped[str] = mapped_column(String(20))
    raised: Mapped[date | None] = mapped_column(Date, nullable=True)
    response: Mapped[str] = mapped_column(Text)
    responded: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated: Mapped[datetime] = mapped_column(DateTime)


class Audit(Base):
    """Every read and write, by whom."""

    __tablename__ = "hub_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    token_id: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(10))  # read, write, refused
    target: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer)
