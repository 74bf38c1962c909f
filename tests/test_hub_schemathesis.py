"""schemathesis against the hub's published OpenAPI: generated calls, valid and not, from
an LA submitter and a hub analyst, must never make the server fail (no 5xx)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from headway.hub.app import create_app
from headway.hub.store import Hub, hub_url

_folder = Path(tempfile.mkdtemp(prefix="hw_schemathesis_"))
_hub = Hub.open(hub_url(None, _folder))
TOKENS = {
    "la submitter": _hub.create_token("la submitter", "201"),
    "hub analyst": _hub.create_token("hub analyst", None),
}
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_hub, rate_limit=10**6))


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    for token in TOKENS.values():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
        )
