"""Alembic environment for the hub: migrate on the connection headway.db hands over."""

from __future__ import annotations

from alembic import context

from headway.db import run_migrations
from headway.hub.model import Base

run_migrations(context, Base.metadata)
