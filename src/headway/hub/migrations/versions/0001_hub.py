"""The first hub

Revision ID: 0001
Revises:
Create Date: 2026-11-25 23:00:22.317077
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
        "hub_asks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("ask", sa.Text(), nullable=False),
        sa.Column("pack", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("raised", sa.Date(), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("responded", sa.Date(), nullable=True),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hub_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("token_id", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hub_las",
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "hub_statements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=16), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hub_statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_statements_topic"), ["topic"], unique=False)

    op.create_table(
        "hub_submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received", sa.DateTime(), nullable=False),
        sa.Column("token_id", sa.String(length=16), nullable=False),
        sa.Column("superseded", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("la_code", "period", "version"),
    )
    with op.batch_alter_table("hub_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_submissions_la_code"), ["la_code"], unique=False)

    op.create_table(
        "hub_tokens",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hub_votes",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("participant", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["statement_id"], ["hub_statements.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("statement_id", "participant"),
    )


def downgrade() -> None:

    op.drop_table("hub_votes")
    op.drop_table("hub_tokens")
    with op.batch_alter_table("hub_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_submissions_la_code"))

    op.drop_table("hub_submissions")
    with op.batch_alter_table("hub_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_statements_topic"))

    op.drop_table("hub_statements")
    op.drop_table("hub_las")
    op.drop_table("hub_audit")
    op.drop_table("hub_asks")
