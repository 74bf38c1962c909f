"""Benchmark of the hub (python -m bench.hub; bench.run adds its rows).

A real hub process (`headway hub serve --workers 2`, one per core as docs/hub.md advises)
on the real PostgreSQL, on loopback, and 1,000 LAs' submissions (about 9 KB each) sent by
50 concurrent clients, each on its own keep-alive connection and each sending 20 LAs'
submissions one after another:

1. Warm-up, timed and reported on its own: each LA's token makes one call first. The hub
   checks a token with argon2 (about 0.2 s of CPU) once per worker process and then
   remembers it, so this is what the first call of each token costs; the figures below are
   the hub in steady use.
2. Throughput: the 50 clients send back to back (each the next as soon as the last is
   answered), new submissions: submissions stored per second, and their times.
3. Latency at 50 concurrent clients: the same 50 clients together offering 200
   submissions a second (each one every 250 ms, their starts spread across that), a
   correction of each LA's submission this time (a new version superseding the last): the
   time of each from when it was due to be sent, so a hub that falls behind is charged
   for the wait (no coordinated omission).
4. Anchor, in the same run: the same clients and the same server (uvicorn with uvloop and
   httptools, the same worker processes) against an endpoint that stores each body in
   PostgreSQL with one INSERT and checks nothing: what the hub's checks, audit and
   versioning cost is the gap between the two.

Clients with 50 concurrent requests back to back answer Little's law: time per call = 50
/ throughput, so in step 2 the p95 is over 100 ms unless the hub stores over 500 a
second; step 3 asks the question the budget asks: at the budget's rate, how long does
each submission take. Both are reported.

The load generator is a small HTTP/1.1 client over asyncio streams (on uvloop), with each
request's bytes made before the clock starts: it shares the machine's two cores with the
hub and PostgreSQL, so it should take as little of them as it can.
Set HEADWAY_BENCH_HUB_LAS and HEADWAY_BENCH_HUB_WORKERS to try other sizes while developing.

Command: `python -m bench.hub` (or `make bench SECTIONS=hub`).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import uvloop
from fastapi import FastAPI, Request, Response
from psycopg import sql
from tests.hub_load import Sector, hub_process, make_sector
from tests.pg import new_schema_name

from headway.hub.store import AsyncPool, Hub, hub_url
from headway.serving import free_port

PG_DSN = os.environ.get("HEADWAY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
LAS = int(os.environ.get("HEADWAY_BENCH_HUB_LAS", "1000"))  # fewer while developing
CLIENTS = 50
RATE = 200  # submissions a second offered in the latency step (the budget's throughput)
WORKERS = int(os.environ.get("HEADWAY_BENCH_HUB_WORKERS", "2"))  # one per core, as deployed
ANCHOR_DB = "HEADWAY_BENCH_ANCHOR_DB"

Row = tuple[str, str, str, str]


# --- the load generator ----------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request's bytes, read the status and
    body (Content-Length framing, as uvicorn answers)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, request: bytes) -> tuple[int, bytes]:
        for attempt in range(2):  # a connection the server closed is opened again, once
            if self.reader is None or self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            reader = self.reader
            try:
                self.writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length)
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def http_request(method: str, path: str, token: str, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class Phase:
    seconds: float
    latencies: list[float]  # seconds
    stored: int  # answered 200 or 201

    @property
    def rate(self) -> float:
        return self.stored / self.seconds

    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000

    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000


async def _run(
    connections: Sequence[Connection], work: Sequence[Sequence[bytes]], interval: float | None
) -> Phase:
    """Each client sends its requests in turn on its own connection: back to back, or
    (with `interval`) each when it is due, timed from then."""
    latencies: list[float] = []
    stored = 0
    start = time.perf_counter()

    async def client(i: int) -> None:
        nonlocal stored
        offset = (interval or 0) * i / len(work)
        for k, request in enumerate(work[i]):
            due = start + offset + k * interval if interval else time.perf_counter()
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            status, _ = await connections[i].call(request)
            latencies.append(time.perf_counter() - due)
            stored += status in (200, 201)

    await asyncio.gather(*(client(i) for i in range(len(work))))
    return Phase(time.perf_counter() - start, latencies, stored)


def run_load(
    port: int, phases: Sequence[tuple[str, Sequence[Sequence[bytes]], float | None]]
) -> list[Phase]:
    """The phases one after another, each client keeping its connection throughout (with
    several worker processes, a connection stays with the worker that knows its tokens)."""

    async def main() -> list[Phase]:
        connections = [Connection(port) for _ in range(CLIENTS)]
        done = []
        for name, work, interval in phases:
            print(f"{name} ...", flush=True)
            done.append(await _run(connections, work, interval))
        for c in connections:
            c.close()
        return done

    return uvloop.run(main())


# --- the anchor: the same server, storing each body and checking nothing -------------------


def anchor_app() -> FastAPI:
    """An endpoint that stores the body in PostgreSQL with one INSERT (autocommit), on the
    hub's own connection pool, and answers as the hub does."""
    app = FastAPI()
    dsn = os.environ[ANCHOR_DB]
    pools: dict[int, AsyncPool] = {}

    @app.post("/api/submissions", status_code=201)
    async def store(request: Request) -> Response:
        body = await request.body()
        loop = asyncio.get_running_loop()
        pool = pools.get(id(loop)) or pools.setdefault(
            id(loop), AsyncPool(loop, {"conninfo": dsn}, 8)
        )
        async with pool.connection() as connection:
            cursor = await connection.execute(
                "INSERT INTO bench_anchor (body) VALUES (%s) RETURNING id", [body.decode()]
            )
            row = await cursor.fetchone()
        answer = {"id": row[0] if row else None, "outcome": "new"}
        return Response(json.dumps(answer), status_code=201, media_type="application/json")

    return app


@contextmanager
def anchor_process(db: str, port: int, workers: int) -> Iterator[None]:
    command = [
        sys.executable, "-m", "uvicorn", "bench.hub:anchor_app", "--factory", "--port",
        str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    env = {**os.environ, ANCHOR_DB: db}
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the anchor server did not start") from None
                time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- the run ---------------------------------------------------------------------------------


def _per_client(requests: dict[str, bytes], codes: Sequence[str]) -> list[list[bytes]]:
    """LA i goes to client i mod 50, always on the same connection."""
    return [[requests[c] for c in codes[i::CLIENTS]] for i in range(CLIENTS)]


def _corrected(payload: dict[str, Any]) -> dict[str, Any]:
    fixed: dict[str, Any] = json.loads(json.dumps(payload))
    fixed["readiness"][0]["score"] = round(fixed["readiness"][0]["score"] / 2, 1)
    return fixed


@dataclass
class Result:
    warm_seconds: float
    throughput: Phase
    at_rate: Phase
    anchor: Phase
    stored: int  # current submissions in the database after the run, of LAS
    versions: int  # every version stored, of 2 * LAS


def measure() -> Result:
    schema = new_schema_name("hw_hubbench")
    with psycopg.connect(PG_DSN) as pg:
        pg.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        pg.commit()
        try:
            db = f"{PG_DSN}?options=-csearch_path%3D{schema}"
            with Hub.open(hub_url(db)) as hub:
                print(f"making {LAS:,} LAs' tokens (argon2) ...", flush=True)
                sector = make_sector(hub, LAS)
            result = _measure(db, sector)
            with Hub.open(hub_url(db)) as hub:
                result.stored = len(hub.submissions())
                result.versions = len(hub.submissions(current_only=False))
            return result
        finally:
            pg.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            pg.commit()


def _measure(db: str, sector: Sector) -> Result:
    codes = list(sector.tokens)
    tokens = sector.tokens
    warm = {c: http_request("GET", "/api/asks", tokens[c]) for c in codes}
    new = {
        c: http_request("POST", "/api/submissions", tokens[c], json.dumps(p).encode())
        for c, p in sector.payloads.items()
    }
    fixed = {
        c: http_request("POST", "/api/submissions", tokens[c], json.dumps(_corrected(p)).encode())
        for c, p in sector.payloads.items()
    }
    port = free_port()
    with hub_process(db, port, workers=WORKERS):
        warm_up, throughput, at_rate = run_load(port, [
            ("warming up: each token's first call", _per_client(warm, codes), None),
            ("throughput", _per_client(new, codes), None),
            (f"latency at {RATE} submissions/s", _per_client(fixed, codes), CLIENTS / RATE),
        ])  # fmt: skip
    with psycopg.connect(db) as pg:
        pg.execute("CREATE TABLE bench_anchor (id serial PRIMARY KEY, body text)")
        pg.commit()
    port = free_port()
    with anchor_process(db, port, WORKERS):
        [anchor] = run_load(port, [("anchor", _per_client(new, codes), None)])
    return Result(warm_up.seconds, throughput, at_rate, anchor, 0, 0)


def rows() -> list[Row]:
    r = measure()
    t, a, anchor = r.throughput, r.at_rate, r.anchor
    ratio = t.rate / anchor.rate
    workers = f"{WORKERS} worker process" + ("es" if WORKERS > 1 else "")
    met = "met" if t.rate >= 200 else "NOT met"
    return [
        (f"Hub warm-up: each of {LAS:,} tokens' first call (argon2, once per token per worker)",
         f"{r.warm_seconds:.0f} s ({r.warm_seconds / LAS * 1000:.0f} ms a token)", "", ""),
        (f"Hub: {LAS:,} new submissions (9 KB) from {CLIENTS} concurrent clients back to back, "
         f"PostgreSQL, loopback, {workers}",
         f"{t.rate:,.0f} submissions/s; p95 {t.p95_ms():.0f} ms, median {t.median_ms():.0f} ms",
         ">= 200 /s", met),
        (f"Hub: {LAS:,} corrections from {CLIENTS} concurrent clients offering {RATE}/s, "
         "time from when each was due, 95th percentile",
         f"{a.p95_ms():.0f} ms (median {a.median_ms():.0f} ms; {a.rate:,.0f} submissions/s)",
         "< 100 ms", "met" if a.p95_ms() < 100 else "NOT met"),
        ("Hub: submissions stored after the run (each LA's correction superseding its first)",
         f"{r.stored:,} current, {r.versions:,} versions, of {LAS:,} and {2 * LAS:,}",
         f"{LAS:,} and {2 * LAS:,}", "met" if (r.stored, r.versions) == (LAS, 2 * LAS)
         else "NOT met"),
        ("Anchor: the same clients and server storing each body with one INSERT, no checks",
         f"{anchor.rate:,.0f} submissions/s; p95 {anchor.p95_ms():.0f} ms", "", ""),
        ("Hub throughput against the anchor", f"{ratio:.2f} x anchor", "reported", ""),
    ]  # fmt: skip


if __name__ == "__main__":
    for row in rows():
        print(" | ".join(row))
