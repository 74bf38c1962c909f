"""The relational databases Headway keeps its own records in (the desk, the lab): SQLite
in a folder by default, PostgreSQL by URL for a team or the Centre.

Each area owns its tables and its Alembic migrations, with its own version table, so
areas can share one database and still be migrated independently.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError

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
