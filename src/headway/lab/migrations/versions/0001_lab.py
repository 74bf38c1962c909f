"""The first lab: approaches, trials, participants, allocations, outcomes, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-25 22:39:57.383095
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
        "lab_approaches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("intended_change", sa.Text(), nullable=False),
        sa.Column("cost_gbp", sa.Float(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "lab_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "lab_trials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("approach_id", sa.Integer(), nullable=False),
        sa.Column("design", sa.String(length=30), nullable=False),
        sa.Column("first_period", sa.String(length=6), nullable=False),
        sa.Column("last_period", sa.String(length=6), nullable=False),
        sa.Column("primary_outcome", sa.String(length=100), nullable=False),
        sa.Column("secondary_outcomes", sa.Text(), nullable=False),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.Column("analysis_plan", sa.Text(), nullable=False),
        sa.Column("plan_sha256", sa.String(length=64), nullable=False),
        sa.Column("registered", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approach_id"],
            ["lab_approaches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "lab_adoptions",
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("first_period", sa.String(length=6), nullable=True),
        sa.ForeignKeyConstraint(["trial_id"], ["lab_trials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("trial_id", "la_code"),
    )
    op.create_table(
        "lab_allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("waves", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["lab_trials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "lab_observations",
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("outcome", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["lab_trials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("trial_id", "la_code", "period", "outcome"),
    )
    op.create_table(
        "lab_participants",
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("region", sa.String(length=60), nullable=False),
        sa.Column("size", sa.String(length=20), nullable=False),
        sa.Column("ofsted", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["lab_trials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("trial_id", "la_code"),
    )
    op.create_table(
        "lab_wave_members",
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("first_period", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(["allocation_id"], ["lab_allocations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("allocation_id", "la_code"),
    )


def downgrade() -> None:

    op.drop_table("lab_wave_members")
    op.drop_table("lab_participants")
    op.drop_table("lab_observations")
    op.drop_table("lab_allocations")
    op.drop_table("lab_adoptions")
    op.drop_table("lab_trials")
    op.drop_table("lab_audit")
    op.drop_table("lab_approaches")
