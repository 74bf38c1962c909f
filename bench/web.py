"""Benchmark of the LA app's pages (python -m bench.web; bench.run adds its rows).

Budget (issue 7): p95 under 200 ms for the desk and readiness pages with 5,000 requests on
the desk. The LA app runs as `headway serve` in its own process on a synthetic LA of 2,000
children (three years loaded) whose desk holds 5,000 requests: inspectors' asks in their
varied phrasings, with requesters, due dates and sources spread as on a busy desk, every
one matched. Each page is fetched 200 times in turn over loopback with keep-alive, after
one warm-up fetch; the figures are the median and the 95th percentile. The anchor, timed
in the same run the same way, is the accessibility statement: the same layout, headers,
session and CSRF work with no data behind it, so the ratio is the cost of the data.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from headway.desk.model import SOURCES
from headway.desk.store import Desk, RequestIn, desk_url
from headway.desk.suggest import suggest
from headway.ingest import ingest
from headway.packs import library
from headway.serving import free_port
from headway.synth import synthesise
from headway.synth.requests import ASKS, INSPECTORS
from headway.workspace import Workspace

REQUESTS = 5_000
CHILDREN = 2_000
FETCHES = 200
BUDGET_MS = 200.0
PAGES = {
    "Desk, first page of the open queue": "/desk",
    "Desk, page 60 of every request": "/desk?status=all&page=60",
    "Desk, filtered to inspectors' asks": "/desk?source=inspector&status=all",
    "Desk, one request with its matches": "/desk/requests/2500",
    "Readiness, every pack": "/readiness",
    "Readiness, Families First requirements": "/readiness/families-first-2026-27",
    "Overview": "/",
}
ANCHOR = "/accessibility"
Row = tuple[str, str, str, str]


def busy_desk(n: int, seed: int = 1) -> list[RequestIn]:
    rng = random.Random(seed)
    today = date.today()
    requests = []
    for i in range(n):
        phrasings, hours = rng.choice(ASKS)
        title = f"{rng.choice(phrasings)} ({i})"
        received = today - timedelta(days=rng.randint(0, 60))
        requests.append(
            RequestIn(
                title=title,
                source=rng.choice(SOURCES),
                requester=rng.choice(INSPECTORS),
                received=received,
                due=received + timedelta(days=rng.randint(5, 150)) if rng.random() < 0.8 else None,
                statutory=rng.random() < 0.3,
                effort_hours=hours if rng.random() < 0.5 else None,
            )
        )
    return requests


def make_workspace(folder: Path) -> Workspace:
    manifest = synthesise(folder / "returns", CHILDREN, [2024, 2025, 2026], 11, "201")
    ws = Workspace.create(folder / "ws", "201", "Bench LA")
    for files in manifest["years"].values():
        ingest(ws, [folder / "returns" / f["path"] for f in files])
    with Desk.open(desk_url(ws.path, None)) as desk:
        desk.set_analyst("Analyst one", 37)
        desk.set_analyst("Analyst two", 18.5)
        desk.add(busy_desk(REQUESTS), "bench")
        suggest(desk, library(), desk.requests())
    return ws


def fetch_times(client: httpx.Client, path: str) -> list[float]:
    client.get(path).raise_for_status()  # warm-up
    times = []
    for _ in range(FETCHES):
        start = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18]


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        ws = make_workspace(Path(tmp))
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "headway"), "serve", "--workspace", str(ws.path),
             "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            _wait(url, server)
            with httpx.Client(base_url=url, timeout=60) as client:
                anchor = fetch_times(client, ANCHOR)
                measured = {name: fetch_times(client, path) for name, path in PAGES.items()}
        finally:
            server.terminate()
            server.wait(timeout=30)
    base = p95(anchor)
    out: list[Row] = [
        (f"Web anchor: {ANCHOR} (layout only)",
         f"median {statistics.median(anchor):.1f} ms, p95 {base:.1f} ms", "", ""),
    ]  # fmt: skip
    for name, times in measured.items():
        worst = p95(times)
        out.append(
            (f"Web, {REQUESTS:,} requests on the desk: {name}",
             f"median {statistics.median(times):.1f} ms, p95 {worst:.1f} ms "
             f"({worst / base:.1f} x anchor)",
             f"p95 < {BUDGET_MS:.0f} ms", "met" if worst < BUDGET_MS else "NOT met")
        )  # fmt: skip
    return out


def _wait(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120  # readiness is computed before the app answers
    while time.monotonic() < deadline:
        if server.poll() is not None:
            error = server.stderr.read().decode() if server.stderr else ""
            raise RuntimeError(f"headway serve stopped: {error}")
        try:
            httpx.get(url + ANCHOR, timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError("headway serve did not answer within 120 s")


if __name__ == "__main__":
    for row in rows():
        print(" | ".join(row))
