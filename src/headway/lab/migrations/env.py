"""Alembic environment for the lab: migrate on the connection headway.db hands over."""

from __future__ import annotations

from alembic import context

from headway.db import run_migrations
from headway.lab.model import Base

run_migrations(context, Base.metadata)
