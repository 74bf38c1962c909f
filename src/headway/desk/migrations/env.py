"""Alembic environment for the desk: migrate on the connection headway.db hands over."""

from __future__ import annotations

from alembic import context

from headway.db import run_migrations
from headway.desk.model import Base

run_migrations(context, Base.metadata)
