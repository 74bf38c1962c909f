"""The hub's API with the real application and database: every endpoint for every role,
idempotent submissions and audited corrections, refusals of child-level, oversized and
malformed payloads, rate limits and the audit of every read and write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from headway.hub.app import create_app
from headway.hub.disclosure import protect
from headway.hub.store import Hub, hub_url
from tests.pg import schema_url

ROLES = ("la submitter", "la viewer", "hub analyst", "admin")
DESK = protect(
    pd.DataFrame(
        {"on time": [12, 3, 9], "overdue": [3, 0, 8]},
        index=["inspector", "service leader", "pack requirement"],
    )
).by_row()


def payload(la: str = "201", period: str = "2026Q3", score: float = 50.0) -> dict[str, Any]:
    return {
        "schema": "headway.submission/1",
        "la_code": la,
        "period": period,
        "generated": "2026-11-25T10:00:00Z",
        "readiness": [
            {
                "pack": "families-first-2026-27",
                "version": "2026-27",
                "score": score,
                "requirements": [{"id": "fgdm", "status": "gap", "effort_hours": 40}],
            }
        ],
        "quality": [{"item": "N00103", "completeness": 0.98, "invalid": "c"}],
        "desk": {"requests": DESK},
        "votes": [],
    }


@pytest.fixture(scope="module")
def pg_client() -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The real app on the real PostgreSQL, in a schema of its own, with a token per role."""
    with schema_url("hw_hub") as url, Hub.open(hub_url(url)) as hub:
        yield TestClient(create_app(hub, rate_limit=1000)), make_tokens(hub)


def make_tokens(hub: Hub) -> dict[str, str]:
    out = {role: hub.create_token(role, "201" if role.startswith("la") else None) for role in ROLES}
    out["other la submitter"] = hub.create_token("la submitter", "202")
    return out


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with Hub.open(hub_url(None, tmp_path)) as h:
        yield h


@pytest.fixture
def tokens(hub: Hub) -> dict[str, str]:
    return make_tokens(hub)


@pytest.fixture
def client(hub: Hub) -> TestClient:
    return TestClient(create_app(hub, rate_limit=1000))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_client(
    request: pytest.FixtureRequest, client: TestClient, tokens: dict[str, str]
) -> tuple[TestClient, dict[str, str]]:
    """The app and a token per role on the Centre's SQLite file and on the real PostgreSQL."""
    if request.param == "sqlite":
        return client, tokens
    pg: tuple[TestClient, dict[str, str]] = request.getfixturevalue("pg_client")
    return pg


def call(client: TestClient, token: str | None, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.request(method, path, json=body, headers=headers)


# (method, path, body, the roles allowed)
ENDPOINTS: list[tuple[str, str, Any, set[str]]] = [
    ("POST", "/api/submissions", payload(), {"la submitter"}),
    ("GET", "/api/submissions", None, set(ROLES)),
    ("GET", "/api/evidence/families-first-2026-27", None, set(ROLES)),
    ("GET", "/api/deliberations/ff", None, set(ROLES)),
    (
        "POST",
        "/api/deliberations/ff/statements",
        {"text": "Ask once."},
        {"la submitter", "la viewer", "hub analyst"},
    ),
    ("GET", "/api/deliberations/ff/analysis", None, {"hub analyst", "admin"}),
    ("GET", "/api/asks", None, set(ROLES)),
    (
        "POST",
        "/api/asks",
        {"title": "FGDM in CIN", "ask": "Collect it in the CIN census."},
        {"hub analyst", "admin"},
    ),
    ("GET", "/api/audit", None, {"admin"}),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
def test_every_endpoint_for_every_role(
    any_client: tuple[TestClient, dict[str, str]],
    method: str,
    path: str,
    body: Any,
    allowed: set[str],
) -> None:
    client, tokens = any_client
    assert call(client, None, method, path, body).status_code == 401
    assert call(client, "hwt_nope_nope", method, path, body).status_code == 401
    for role in ROLES:
        status = call(client, tokens[role], method, path, body).status_code
        if role in allowed:
            assert status < 400, (role, method, path, status)
        else:
            assert status == 403, (role, method, path, status)


def test_votes_are_for_la_users_only(client: TestClient, tokens: dict[str, str]) -> None:
    made = call(
        client,
        tokens["hub analyst"],
        "POST",
        "/api/deliberations/ff/statements",
        {"text": "Collect FGDM dates in the CIN census."},
    ).json()
    vote = {"statement": made["id"], "value": 1}
    for role in ROLES:
        status = call(client, tokens[role], "POST", "/api/deliberations/ff/votes", vote).status_code
        assert status == (201 if role.startswith("la") else 403), role
    assert (
        call(
            client, tokens["la viewer"], "POST", "/api/deliberations/other/votes", vote
        ).status_code
        == 404
    )


def test_an_la_reads_only_its_own_raw_submissions(
    client: TestClient, tokens: dict[str, str]
) -> None:
    assert (
        call(client, tokens["la submitter"], "POST", "/api/submissions", payload()).status_code
        == 201
    )
    assert (
        call(
            client, tokens["other la submitter"], "POST", "/api/submissions", payload("202")
        ).status_code
        == 201
    )
    mine = call(client, tokens["la viewer"], "GET", "/api/submissions").json()
    assert {s["la_code"] for s in mine} == {"201"} and mine[0]["payload"]["la_code"] == "201"
    every = call(client, tokens["hub analyst"], "GET", "/api/submissions").json()
    assert {s["la_code"] for s in every} == {"201", "202"}
    assert all(s["payload"] is None for s in every)  # the analyst works from evidence
    wrong = call(client, tokens["la submitter"], "POST", "/api/submissions", payload("202"))
    assert wrong.status_code == 403 and "201 only" in wrong.json()["detail"]


def test_retry_is_idempotent_and_a_correction_supersedes(
    client: TestClient, tokens: dict[str, str], hub: Hub
) -> None:
    first = call(client, tokens["la submitter"], "POST", "/api/submissions", payload()).json()
    retry = call(client, tokens["la submitter"], "POST", "/api/submissions", payload())
    assert retry.status_code == 200 and retry.json()["outcome"] == "unchanged"
    assert retry.json()["id"] == first["id"]
    fixed = call(client, tokens["la submitter"], "POST", "/api/submissions", payload(score=60))
    assert fixed.json()["outcome"] == "superseded" and fixed.json()["version"] == 2
    versions = hub.submissions("201", current_only=False)
    assert [(s.version, s.superseded is not None) for s in versions] == [(1, True), (2, False)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"children": [{"upn": "A123456789012", "dob": "2015-01-01"}]}, "child-level"),
        ({"desk": {"requests": {"inspector": {"open": 12}}, "la_child_id": "C1"}}, "child-level"),
        ({"secret_extra": 1}, "does not match the schema"),
        (
            {
                "desk": {
                    "requests": {
                        "inspector": {"on time": 12, "overdue": "c", "Total": 15},
                        "Total": {"on time": 12, "overdue": "c", "Total": 15},
                    }
                }
            },
            "would reveal small counts",
        ),
        ({"period": "2026-Q3"}, "does not match the schema"),
        (
            {"readiness": [{"pack": "x", "version": "1", "score": 500, "requirements": []}]},
            "does not match the schema",
        ),
    ],
)
def test_bad_payloads_are_refused_and_nothing_is_stored(
    client: TestClient, tokens: dict[str, str], hub: Hub, change: dict[str, Any], message: str
) -> None:
    response = call(client, tokens["la submitter"], "POST", "/api/submissions", payload() | change)
    assert response.status_code == 422 and message in response.json()["detail"]
    assert hub.submissions() == []


def test_oversized_and_non_json_bodies(client: TestClient, tokens: dict[str, str]) -> None:
    headers = {
        "Authorization": f"Bearer {tokens['la submitter']}",
        "Content-Type": "application/json",
    }
    big = client.post(
        "/api/submissions", content=b"{" + b" " * (3 * 1024**2) + b"}", headers=headers
    )
    assert big.status_code == 413
    bad = client.post("/api/submissions", content=b"\xff\xfe not json", headers=headers)
    assert bad.status_code == 422


def test_rate_limit(hub: Hub, tokens: dict[str, str]) -> None:
    client = TestClient(create_app(hub, rate_limit=3))
    statuses = [call(client, tokens["la viewer"], "GET", "/api/asks").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_every_read_and_write_is_audited(client: TestClient, tokens: dict[str, str]) -> None:
    call(client, tokens["la submitter"], "POST", "/api/submissions", payload())
    call(client, tokens["la viewer"], "GET", "/api/submissions")
    call(client, tokens["la viewer"], "GET", "/api/audit")
    log = call(client, tokens["admin"], "GET", "/api/audit").json()
    seen = [(e["role"], e["action"], e["target"], e["status"]) for e in log]
    assert seen[:3] == [
        ("la submitter", "write", "POST /api/submissions", 201),
        ("la viewer", "read", "GET /api/submissions", 200),
        ("la viewer", "refused", "GET /api/audit", 403),
    ]


def test_tokens_are_stored_hashed(hub: Hub, tokens: dict[str, str]) -> None:
    from sqlalchemy import select

    from headway.hub.model import Token

    with hub.session() as s:
        hashes = [t.secret_hash for t in s.scalars(select(Token))]
    secrets_ = [t.split("_", 2)[2] for t in tokens.values()]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(secret in h for h in hashes for secret in secrets_)
    hub.revoke(tokens["la viewer"].split("_")[1])
    assert hub.caller(tokens["la viewer"]) is None


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/submissions" in spec["paths"] and spec["info"]["title"] == "Headway hub"


def test_a_revoked_token_stops_working_on_a_running_hub(hub: Hub) -> None:
    client = TestClient(create_app(hub, rate_limit=1000, recheck_seconds=0))
    token = hub.create_token("la viewer", "201")
    assert call(client, token, "GET", "/api/asks").status_code == 200  # verified and kept
    hub.revoke(token.split("_")[1])
    assert call(client, token, "GET", "/api/asks").status_code == 401
