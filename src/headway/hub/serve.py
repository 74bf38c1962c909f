"""Running the hub's API in this process, on a thread, for the demo and the tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from headway.errors import HeadwayError
from headway.hub.app import create_app
from headway.hub.store import Hub


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(hub: Hub, port: int = 0, rate_limit: int = 100_000) -> Iterator[str]:
    """Serve the hub on loopback until the block ends; yields its address."""
    port = port or free_port()
    config = uvicorn.Config(
        create_app(hub, rate_limit), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise HeadwayError(f"The hub did not start on port {port}.", "Try another --port.")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
