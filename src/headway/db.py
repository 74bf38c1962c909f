"""The relational databases Headway keeps its own records in (the desk, the lab): SQLite
in a folder by default, PostgreSQL by URL for a team or the Centre.

Each area owns its tables and its Alembic migrations, with its own version table, so
areas can share one database and still be migrated independently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Self

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from headway.errors import HeadwayError


def database_url(db: str | None, default_file: Path | None, what: str) -> str:
    """--db if given (postgresql://... becomes the psycopg driver's URL), else the SQLite
    file; `what` names the database in errors ("desk", "lab")."""
    if db:
        if db.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + db.split("://", 1)[1]
        if db.startswith(("postgresql+psycopg://", "sqlite://")):
            return db
        raise HeadwayError(
            f"'{db}' is not a {what} database URL Headway can use.",
            f"Give postgresql://user@host:port/database, or leave --db out to keep the {what} "
            "in its folder.",
        )
    if default_file is None:
        raise HeadwayError(f"No {what} to open.", "Give --workspace DIR or --db URL.")
    return f"sqlite:///{default_file}"


CENTRE_FILE = "centre.sqlite"


def centre_folder() -> Path:
    """The Centre's folder: $HEADWAY_CENTRE, else ./headway-centre."""
    return Path(os.environ.get("HEADWAY_CENTRE", "headway-centre"))


def centre_url(db: str | None, folder: Path | None, what: str) -> str:
    """The Centre's database (the hub and the lab share it): --db if given, else
    centre.sqlite in the Centre's folder."""
    if db:
        return database_url(db, None, what)
    where = folder or centre_folder()
    where.mkdir(parents=True, exist_ok=True)
    return database_url(None, where / CENTRE_FILE, what)


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_engine(url: str, migrations: Path, version_table: str, what: str) -> Engine:
    """An engine on `url` with the schema brought up to the latest Alembic revision."""
    # A server (the hub) runs many requests at once: keep enough PostgreSQL connections.
    options = {"pool_size": 20, "max_overflow": 20} if url.startswith("postgresql") else {}
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["version_table"] = version_table
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        engine.dispose()
        raise HeadwayError(
            f"Could not open the {what} database: {str(exc.orig).strip().splitlines()[0]}",
            "Check the --db URL and that the database server is running.",
        ) from None
    return engine


def run_migrations(context: Any, metadata: MetaData) -> None:
    """The body of each area's Alembic env.py: migrate on the connection and version table
    that open_engine hands over."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=context.config.attributes["version_table"],
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    )
    with context.begin_transaction():
        context.run_migrations()


class Store:
    """An area's records in its own tables: open (migrating first), sessions, close.
    Each area (desk, lab, hub) says where its migrations are and what it is called."""

    migrations: ClassVar[Path]
    version_table: ClassVar[str]
    what: ClassVar[str]

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Self:
        return cls(open_engine(url, cls.migrations, cls.version_table, cls.what))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions.begin() as s:
            yield s
