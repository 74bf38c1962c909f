"""The hub's fast path for submissions, held to the slow one it replaced.

- On PostgreSQL a submission is one statement (find the current version, store, supersede,
  audit): through the API and through `Hub.submit`, retries change nothing, corrections
  supersede and are audited, and copies racing each other neither duplicate nor lose.
- The receipt audit of a desk table without pandas (`audit_by_row`) says exactly what
  `audit` of the DataFrame says, on protected, naive and tampered tables.
- The screen for child-level fields without paths (`_nothing_child_level`) agrees with the
  walk that finds the paths, on payloads built to trip it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headway.hub.app import create_app
from headway.hub.disclosure import (
    SUPPRESSED,
    _child_level_paths,
    _nothing_child_level,
    audit,
    audit_by_row,
    protect,
)
from headway.hub.store import Caller, Hub, hub_url, submission_params
from tests.pg import schema_url
from tests.test_hub_api import payload


@pytest.fixture(scope="module")
def pg_hub() -> Iterator[Hub]:
    with schema_url("hw_hubfast") as url, Hub.open(hub_url(url)) as hub:
        yield hub


def audit_rows(hub: Hub, token_id: str) -> list[tuple[str, str, int]]:
    return [(a.action, a.target, a.status) for a in hub.audit() if a.token_id == token_id]


def test_the_api_on_postgresql_retries_corrects_and_audits(pg_hub: Hub) -> None:
    token = pg_hub.create_token("la submitter", "301")
    token_id = token.split("_")[1]
    client = TestClient(create_app(pg_hub, rate_limit=1000))
    headers = {"Authorization": f"Bearer {token}"}

    def send(body: dict[str, Any]) -> Any:
        return client.post("/api/submissions", json=body, headers=headers)

    first = send(payload("301"))
    assert first.status_code == 201 and first.json()["outcome"] == "new"
    rebuilt = payload("301") | {"generated": "2026-11-26T09:00:00Z"}  # built again: a retry
    retry = send(rebuilt)
    assert retry.status_code == 200 and retry.json()["outcome"] == "unchanged"
    assert retry.json()["id"] == first.json()["id"]
    fixed = send(payload("301", score=70))
    assert fixed.status_code == 201
    assert fixed.json()["outcome"] == "superseded" and fixed.json()["version"] == 2
    assert send(payload("301", score=70)).json()["outcome"] == "unchanged"
    assert send(payload("302")).status_code == 403  # another LA's
    assert send(payload("301") | {"secret": 1}).status_code == 422
    versions = pg_hub.submissions("301", current_only=False)
    assert [(s.version, s.superseded is not None) for s in versions] == [(1, True), (2, False)]
    assert json.loads(versions[0].payload)["readiness"][0]["score"] == 50.0
    target = "POST /api/submissions"
    assert audit_rows(pg_hub, token_id) == [
        ("write", target, 201),
        ("write", target, 200),
        ("write", target, 201),
        ("write", target, 200),
        ("refused", target, 403),
        ("refused", target, 422),
    ]


def test_hub_submit_on_postgresql_is_the_same_statement(pg_hub: Hub) -> None:
    caller = Caller("tok303", "la submitter", "303")
    body = payload("303")
    assert pg_hub.submit(caller, "303", "2026Q3", body, "test").outcome == "new"
    again = pg_hub.submit(caller, "303", "2026Q3", body)  # not audited
    assert (again.outcome, again.version) == ("unchanged", 1)
    fixed = pg_hub.submit(caller, "303", "2026Q3", payload("303", score=1), "test")
    assert (fixed.outcome, fixed.version) == ("superseded", 2)
    assert audit_rows(pg_hub, "tok303") == [("write", "test", 201), ("write", "test", 201)]


def test_racing_copies_neither_duplicate_nor_lose(pg_hub: Hub) -> None:
    """Twenty copies of one submission at once, then six different corrections at once,
    all on the event loop's own connections."""
    caller = Caller("tok304", "la submitter", "304")

    async def race() -> tuple[list[str], list[int]]:
        same = submission_params(caller, "304", "2026Q3", payload("304"), "race")
        copies = await asyncio.gather(*(pg_hub.store_async(dict(same)) for _ in range(20)))
        fixes = [
            submission_params(caller, "304", "2026Q3", payload("304", score=s), "race")
            for s in range(1, 7)
        ]
        stored = await asyncio.gather(*(pg_hub.store_async(f) for f in fixes))
        return [c.outcome for c in copies], [s.version for s in stored]

    outcomes, versions = asyncio.run(race())
    assert sorted(outcomes) == ["new"] + ["unchanged"] * 19
    assert sorted(versions) == list(range(2, 8))  # each correction its own version
    rows = pg_hub.submissions("304", current_only=False)
    assert [s.version for s in rows] == list(range(1, 8))
    assert [s.version for s in rows if s.superseded is None] == [7]
    statuses = sorted(status for _, _, status in audit_rows(pg_hub, "tok304"))
    assert statuses == [200] * 19 + [201] * 7


# --- the receipt audit without pandas -------------------------------------------------------


def by_row(published: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """A published table as a submission carries it, through JSON."""
    data = {
        str(r): {str(c): v if v == SUPPRESSED else int(v) for c, v in row.items()}
        for r, row in published.iterrows()
    }
    loaded: dict[str, dict[str, Any]] = json.loads(json.dumps(data))
    return loaded


counts = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 50])


@st.composite
def published_tables(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """Protected tables, naive ones (primary suppression only) and tampered ones (a total
    off by one, a cell shown or hidden, a cell left out)."""
    height, width = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    values = [[draw(counts) for _ in range(width)] for _ in range(height)]
    table = pd.DataFrame(
        values,
        index=[f"source {i}" for i in range(height)],
        columns=[f"k{j}" for j in range(width)],
    )
    rows = by_row(protect(table).published)
    how = draw(st.sampled_from(["protected", "naive", "total", "show", "hide", "drop"]))
    names = list(rows)
    row = rows[draw(st.sampled_from(names))]
    column = draw(st.sampled_from(list(row)))
    if how == "naive":
        truth = table.copy()
        truth["Total"] = truth.sum(axis=1)
        truth.loc["Total"] = truth.sum(axis=0)
        rows = {r: {c: SUPPRESSED if 1 <= v <= 5 else int(v) for c, v in cells.items()}
                for r, cells in truth.to_dict(orient="index").items()}  # fmt: skip
    elif how == "total" and row[column] != SUPPRESSED:
        row[column] += 1
    elif how == "show" and row[column] == SUPPRESSED:
        row[column] = draw(counts)
    elif how == "hide":
        row[column] = SUPPRESSED
    elif how == "drop":
        del row[column]
    return rows


def outcome(check: Any) -> tuple[str, Any]:
    try:
        return "answer", check()
    except Exception as exc:  # the same error, or none, from both (a missing cell is NaN)
        return type(exc).__name__, str(exc).replace("np.float64(nan)", "nan")


@given(published_tables())
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_audit_by_row_is_audit_of_the_frame(rows: dict[str, dict[str, Any]]) -> None:
    with_pandas = outcome(lambda: sorted(audit(pd.DataFrame(rows).T)))
    without = outcome(lambda: sorted(audit_by_row(rows)))
    assert without == with_pandas


# --- the screen for child-level fields without paths ---------------------------------------

keys = st.sampled_from([
    "count", "n", "sex", "gender", "ethnicity", "age", "pers_sex", "LAchildID", "upn", "name",
    "status", "readiness", "item", "Total", "on time", "label", "region", "FormerUPN",
])  # fmt: skip
strings = st.sampled_from([
    "ready", "gap", "c", "A123456789012", "SW1A 1AA", "943 476 5919", "9434765919",
    "9434765918", "2026Q3", "M", "F", "White British", " N00103 ",
])  # fmt: skip
leaves = st.one_of(st.integers(0, 50), st.floats(0, 1), st.none(), st.booleans(), strings)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=30,
)


@given(st.dictionaries(keys, json_values, max_size=5))
@settings(max_examples=400, deadline=None)
def test_the_screen_without_paths_agrees_with_the_walk(data: dict[str, Any]) -> None:
    assert _nothing_child_level(data) == (not _child_level_paths(data))


def test_a_chunked_body_is_stopped_at_the_cap(tmp_path: Path) -> None:
    """A body sent without a length (chunked) is refused once it passes the cap."""
    with Hub.open(hub_url(None, tmp_path)) as hub:
        token = hub.create_token("la submitter", "201")
        client = TestClient(create_app(hub))

        def chunks() -> Iterator[bytes]:
            for _ in range(30):
                yield b" " * 100_000

        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        response = client.post("/api/submissions", content=chunks(), headers=headers)
        assert response.status_code == 413 and hub.submissions() == []
