"""PostgreSQL for tests: the server's DSN, a connection, and a fresh schema per test; and
the synthetic workspace and test measures that the measures and outputs tests share.

The DSN is $HEADWAY_TEST_PG, else postgresql://postgres@127.0.0.1:5432/test. Tests that need
PostgreSQL FAIL when it is not reachable, with how to start it: a parity test that skipped
silently would prove nothing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg import sql

from headway.ingest import ingest
from headway.measures import Measure
from headway.synth import synthesise
from headway.workspace import Workspace

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
START_HINT = (
    "Start it with `pg_ctlcluster --skip-systemctl-redirect 15 main start` (PostgreSQL 15, "
    "trust auth, database 'test'), or point HEADWAY_TEST_PG at another server, e.g. "
    "HEADWAY_TEST_PG=postgresql://user@host:5432/db."
)

Connection = psycopg.Connection[tuple[object, ...]]


def dsn() -> str:
    return os.environ.get("HEADWAY_TEST_PG", DEFAULT_DSN)


def connect() -> Connection:
    """A connection to the test server, or a test failure that says how to start it."""
    try:
        return psycopg.connect(dsn(), connect_timeout=5)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        pytest.fail(f"PostgreSQL is not reachable at {dsn()} ({first}). {START_HINT}")


def new_schema_name(prefix: str = "hw_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@contextmanager
def fresh_schema(pg: Connection, prefix: str = "hw_test") -> Iterator[str]:
    """A schema name no one uses yet (the code under test creates it); dropped afterwards,
    with everything in it, whatever the test did."""
    name = new_schema_name(prefix)
    try:
        yield name
    finally:
        if not pg.closed:
            pg.rollback()
            pg.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
            pg.commit()


@contextmanager
def schema_url(prefix: str = "hw_test") -> Iterator[str]:
    """A database URL whose search path is a new schema of its own, dropped afterwards: how
    the desk, hub and web tests each get a PostgreSQL database nobody else touches."""
    with connect() as pg, fresh_schema(pg, prefix) as schema:
        pg.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        pg.commit()
        yield f"{dsn()}?options=-csearch_path%3D{schema}"


# --- The synthetic workspace and test measures the measures and outputs tests share --------

MEASURES_FILE = Path(__file__).parent / "data" / "measures" / "measures.yaml"
RETURNS = ("cin_census", "ssda903_csv", "annex_a", "ssd_extract")


def load_test_measures() -> list[Measure]:
    """The representative measures in tests/data/measures/measures.yaml."""
    entries = yaml.safe_load(MEASURES_FILE.read_text(encoding="utf-8"))
    return [Measure(**entry) for entry in entries]


def synthetic_workspace(
    folder: Path,
    children: int = 500,
    years: Sequence[int] = (2024, 2025),
    formats: Sequence[str] = RETURNS,
    seed: int = 3,
) -> Workspace:
    """A synthetic LA written under folder/r and ingested, one call per year, into folder/ws;
    only the files of `formats` are loaded (cin_census, ssda903_csv, annex_a, ssd_extract)."""
    manifest = synthesise(folder / "r", children, list(years), seed, "201")
    ws = Workspace.create(folder / "ws", "201", "Synthetic LA")
    for year in years:
        files = [folder / "r" / f["path"] for f in manifest["years"][str(year)]]
        kept = [
            p
            for p, f in zip(files, manifest["years"][str(year)], strict=True)
            if f["format"] in formats
        ]
        if kept:
            ingest(ws, kept)
    return ws
