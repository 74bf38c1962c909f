"""The hub under load and under a crash, as a real process on the real PostgreSQL: 150 LAs
submitting at once with retries lose nothing and duplicate nothing; every submission the
hub acknowledged before it was killed is there after it restarts."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from headway.hub.store import Hub, hub_url
from headway.serving import free_port
from tests.hub_load import Sector, Sent, hub_process, kill, make_sector, submit_all
from tests.pg import schema_url


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with schema_url("hw_hubload") as url:
        yield url


@pytest.fixture(scope="module")
def sector(pg_url: str) -> Sector:
    with Hub.open(hub_url(pg_url)) as hub:
        return make_sector(hub, 150)


def current(pg_url: str) -> dict[str, list[int]]:
    with Hub.open(hub_url(pg_url)) as hub:
        out: dict[str, list[int]] = {}
        for s in hub.submissions(current_only=False):
            out.setdefault(s.la_code, []).append(s.version)
        return out


def test_150_las_at_once_with_retries(pg_url: str, sector: Sector) -> None:
    codes = [la.code for la in sector.las]
    port = free_port()
    with hub_process(pg_url, port):
        # every LA sends twice (a retry after a lost answer looks exactly like this)
        sent = submit_all(f"http://127.0.0.1:{port}", sector, codes, workers=50, repeat=2)
    assert set(sent.acknowledged) == set(codes)
    stored = current(pg_url)
    assert set(stored) == set(codes)
    assert all(versions == [1] for versions in stored.values())  # none lost, none twice


def test_acknowledged_submissions_survive_a_kill(pg_url: str, sector: Sector) -> None:
    for la in sector.las:  # a correction this time, so every submission is a new version
        sector.payloads[la.code]["readiness"][0]["score"] = 1.0
    codes = [la.code for la in sector.las]
    port = free_port()
    sent = Sent()

    def kill_after_some(proc: subprocess.Popen[bytes]) -> None:
        while len(sent.acknowledged) < 40:
            time.sleep(0.005)
        kill(proc)

    with hub_process(pg_url, port) as proc:
        killer = threading.Thread(target=kill_after_some, args=[proc])
        killer.start()
        submit_all(f"http://127.0.0.1:{port}", sector, codes, workers=20, retries=1, sent=sent)
        killer.join()
    assert 0 < len(sent.acknowledged) < len(codes), "the kill should land mid-load"
    with hub_process(pg_url, port):
        time.sleep(0.1)
    stored = current(pg_url)
    for code, answer in sent.acknowledged.items():
        assert answer["version"] in stored[code], code
    # finish the load after the restart: retries complete it, still without duplicates
    with hub_process(pg_url, port):
        submit_all(f"http://127.0.0.1:{port}", sector, codes, workers=20)
    stored = current(pg_url)
    assert all(versions == [1, 2] for versions in stored.values())
