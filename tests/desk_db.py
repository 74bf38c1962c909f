"""The two databases a desk runs on, for tests: SQLite in a temporary folder and a fresh
schema in the real PostgreSQL (tests.pg says how to start it when it is not running)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from headway.desk.store import Desk, desk_url
from tests.pg import schema_url


@pytest.fixture
def pg_desk_url() -> Iterator[str]:
    """A desk URL on the real PostgreSQL, in a schema of its own, dropped afterwards."""
    with schema_url("hw_desk") as url:
        yield desk_url(None, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def desk_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A desk database URL: each test that uses it runs once on each database."""
    if request.param == "sqlite":
        return desk_url(tmp_path, None)
    url: str = request.getfixturevalue("pg_desk_url")
    return url


@pytest.fixture
def desk(desk_db: str) -> Iterator[Desk]:
    with Desk.open(desk_db) as d:
        yield d
