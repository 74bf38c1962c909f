"""Running the hub's API in this process, on a thread, for the demo's sector and the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from headway.hub.app import create_app
from headway.hub.store import Hub
from headway.serving import serving_app


@contextmanager
def serving(hub: Hub, port: int = 0, rate_limit: int = 100_000) -> Iterator[str]:
    """Serve the hub's API on loopback until the block ends; yields its address."""
    with serving_app(create_app(hub, rate_limit), port, "The hub") as url:
        yield url
