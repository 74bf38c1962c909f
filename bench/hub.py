"""Benchmark of the hub (python -m bench.hub; bench.run adds its rows).

A real hub process (`headway hub serve`, one uvicorn worker) on the real PostgreSQL, on
loopback. 50 concurrent clients each send LAs' submissions (each LA's token already
verified once, as in steady use: the argon2 check is paid once per token per process) and
the figure is submissions stored per second and the 95th percentile of the time each took.
Budget: at least 200 submissions/s; p95 under 100 ms at 50 concurrent clients.

Command: `python -m bench.hub` (or `make bench SECTIONS=hub`).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

import httpx
import psycopg
from psycopg import sql
from tests.hub_load import Sector, hub_process, make_sector
from tests.pg import new_schema_name

from headway.hub.serve import free_port
from headway.hub.store import Hub, hub_url

PG_DSN = os.environ.get("HEADWAY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
LAS = 1000
CLIENTS = 50
WORKERS = 1  # each worker process checks each token once (argon2); one keeps the cache warm

Row = tuple[str, str, str, str]


def _warm(url: str, sector: Sector) -> None:
    """Each token checked once (argon2) before the clock starts."""
    with httpx.Client(base_url=url, timeout=30) as client:
        for code in sector.tokens:
            client.get("/api/asks", headers={"Authorization": f"Bearer {sector.tokens[code]}"})


async def _load(url: str, sector: Sector) -> tuple[int, list[float]]:
    """50 clients at once, as asyncio tasks in one process (threads would spend the
    machine's two cores fighting over Python's lock rather than sending)."""
    latencies: list[float] = []
    stored = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for code in sector.tokens:
        queue.put_nowait(code)

    async def client() -> None:
        nonlocal stored
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            while not queue.empty():
                code = queue.get_nowait()
                started = time.perf_counter()
                r = await http.post(
                    "/api/submissions",
                    json=sector.payloads[code],
                    headers={"Authorization": f"Bearer {sector.tokens[code]}"},
                )
                latencies.append(time.perf_counter() - started)
                stored += r.status_code in (200, 201)

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return stored, latencies


def rows() -> list[Row]:
    schema = new_schema_name("hw_hubbench")
    with psycopg.connect(PG_DSN) as pg:
        pg.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        pg.commit()
        try:
            db = f"{PG_DSN}?options=-csearch_path%3D{schema}"
            with Hub.open(hub_url(db)) as hub:
                sector = make_sector(hub, LAS)
            port = free_port()
            with hub_process(db, port, workers=WORKERS):
                url = f"http://127.0.0.1:{port}"
                _warm(url, sector)
                start = time.perf_counter()
                stored, latencies = asyncio.run(_load(url, sector))
                seconds = time.perf_counter() - start
        finally:
            pg.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            pg.commit()
    rate = stored / seconds
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    return [
        (f"Hub: {LAS:,} submissions from {CLIENTS} concurrent clients, PostgreSQL, loopback",
         f"{rate:,.0f} submissions/s ({stored:,} of {LAS:,} stored)",
         ">= 200 /s", "met" if rate >= 200 else "NOT met"),
        ("Hub: time per submission at 50 concurrent clients, 95th percentile",
         f"{p95:.0f} ms (median {statistics.median(latencies) * 1000:.0f} ms)",
         "< 100 ms", "met" if p95 < 100 else "NOT met"),
    ]  # fmt: skip


if __name__ == "__main__":
    for row in rows():
        print(" | ".join(row))
