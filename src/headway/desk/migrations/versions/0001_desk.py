"""The first desk: requests, matches, team, leave, adopted packs and intakes.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("requester", sa.String(200), nullable=False),
        sa.Column("requester_level", sa.String(30), nullable=False),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("statutory", sa.Boolean, nullable=False),
        sa.Column("inspection", sa.Boolean, nullable=False),
        sa.Column("children_affected", sa.Integer, nullable=True),
        sa.Column("effort_hours", sa.Float, nullable=True),
        sa.Column("cost_of_delay", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answered_by", sa.String(300), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("pack", sa.String(100), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False),
    )
    op.create_index("ix_desk_requests_status", "desk_requests", ["status"])
    op.create_table(
        "desk_matches",
        sa.Column(
            "request_id",
            sa.Integer,
            sa.ForeignKey("desk_requests.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("rank", sa.Integer, primary_key=True),
        sa.Column("candidate", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "desk_team",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("hours_per_week", sa.Float, nullable=False),
    )
    op.create_table(
        "desk_leave",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "analyst",
            sa.String(100),
            sa.ForeignKey("desk_team.name", ondelete="CASCADE", onupdate="CASCADE"),
            nullable=False,
        ),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
    )
    op.create_table(
        "desk_adopted_packs",
        sa.Column("pack", sa.String(100), primary_key=True),
        sa.Column("adopted", sa.DateTime, nullable=False),
    )
    op.create_table(
        "desk_intakes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("repeats", sa.Integer, nullable=False),
        sa.Column("not_read", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "desk_intakes",
        "desk_adopted_packs",
        "desk_leave",
        "desk_team",
        "desk_matches",
        "desk_requests",
    ):
        op.drop_table(table)
