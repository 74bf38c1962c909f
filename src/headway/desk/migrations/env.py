"""Alembic environment for the desk: run on the connection headway.desk.store hands over."""

from __future__ import annotations

from alembic import context

from headway.desk.model import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    version_table=context.config.attributes["version_table"],
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
)
with context.begin_transaction():
    context.run_migrations()
