"""Driving a real hub process: start `headway hub serve` on PostgreSQL, send many LAs'
submissions at once with retries, and kill it. Shared by the reliability tests and bench."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from headway.hub.sector_synth import sector_submission
from headway.hub.store import Hub
from headway.hub.submit import to_json
from headway.packs import library
from headway.synth.sector import SectorLA, synthetic_sector


@contextmanager
def hub_process(db: str, port: int, workers: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """`headway hub serve` in its own process, ready when this yields."""
    headway = str(Path(sys.executable).with_name("headway"))
    command = [headway, "hub", "serve", "--db", db, "--port", str(port), "--workers", str(workers)]
    # Its log goes to a file: a pipe nobody reads would fill, and the hub would block on it.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    url = f"http://127.0.0.1:{port}/api/health"
                    if httpx.get(url, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"the hub did not start: {log.read()[-2000:]!r}")
                time.sleep(0.1)
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@dataclass
class Sector:
    las: list[SectorLA]
    tokens: dict[str, str]
    payloads: dict[str, dict[str, Any]]


def make_sector(hub: Hub, n: int, period: str = "2026Q3", seed: int = 3) -> Sector:
    packs = [p for p in library() if p.id in ("families-first-2026-27", "ofsted-ilacs")]
    las = synthetic_sector(n, seed)
    # argon2 releases Python's lock: hash the tokens on every core
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        made = pool.map(lambda la: hub.create_token("la submitter", la.code), las)
        tokens = {la.code: token for la, token in zip(las, made, strict=True)}
    payloads = {la.code: to_json(sector_submission(la, packs, period, seed)) for la in las}
    return Sector(las, tokens, payloads)


@dataclass
class Sent:
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # LA -> hub's answer
    attempts: int = 0
    latencies: list[float] = field(default_factory=list)


def submit_all(
    url: str,
    sector: Sector,
    codes: Sequence[str],
    workers: int,
    retries: int = 5,
    repeat: int = 1,
    sent: Sent | None = None,
) -> Sent:
    """Each LA sends its submission `repeat` times, retrying on failure, from `workers`
    threads at once; returns what the hub acknowledged."""
    sent = sent or Sent()

    def worker(mine: Sequence[str]) -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            for code in mine:
                one(client, code)

    def one(client: httpx.Client, code: str) -> None:
        headers = {"Authorization": f"Bearer {sector.tokens[code]}"}
        for _ in range(repeat):
            for attempt in range(retries):
                sent.attempts += 1
                started = time.perf_counter()
                try:
                    r = client.post("/api/submissions", json=sector.payloads[code], headers=headers)
                except httpx.HTTPError:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                sent.latencies.append(time.perf_counter() - started)
                if r.status_code in (200, 201):
                    sent.acknowledged[code] = r.json()
                    break
                time.sleep(0.05 * (attempt + 1))

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(worker, [codes[i::workers] for i in range(workers)]))
    return sent
