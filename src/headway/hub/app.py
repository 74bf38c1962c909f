"""The hub's API (FastAPI): submissions in, disclosure-controlled evidence out, deliberation
and the asks ledger. OpenAPI is published at /openapi.json and /docs.

Every call but /api/health needs a bearer token; what it may do depends on its role:

| call | la submitter | la viewer | hub analyst | admin |
|---|---|---|---|---|
| POST /api/submissions | own LA | - | - | - |
| GET /api/submissions | own LA | own LA | all | all |
| GET /api/evidence/{pack} | yes | yes | yes | yes |
| GET /api/deliberations/{topic} | yes | yes | yes | yes |
| POST .../statements | yes | yes | yes | - |
| POST .../votes | yes | yes | - | - |
| GET .../analysis | - | - | yes | yes |
| GET /api/asks | yes | yes | yes | yes |
| POST, PATCH /api/asks | - | - | yes | yes |
| GET /api/audit | - | - | - | yes |

Every call is written to the audit (who, what, the answer's status). Bodies over
MAX_BODY_BYTES are refused before they are read, each token is rate limited, payloads must
match the schema exactly, and any payload with a child-level field is refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from headway.errors import HeadwayError
from headway.hub.disclosure import audit as disclosure_audit
from headway.hub.disclosure import is_aggregate_safe
from headway.hub.store import Caller, Hub, Stored
from headway.hub.submission import SubmissionPayload

MAX_BODY_BYTES = 2 * 1024**2
RATE_LIMIT = 120  # calls per token per minute
LA_ROLES = ("la submitter", "la viewer")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatementIn(Body):
    text: Annotated[str, Field(min_length=1, max_length=1000)]


class VoteIn(Body):
    statement: int
    value: Annotated[int, Field(ge=-1, le=1)]


class AskIn(Body):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    ask: Annotated[str, Field(min_length=1, max_length=5000)]
    pack: str = ""
    topic: str = ""


class AskUpdate(Body):
    status: str
    response: str = ""
    on: date | None = None


class RateLimiter:
    """A sliding one-minute window per token. Written here rather than with slowapi: the
    limit is per token (not per address), and this is the whole of it."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.calls: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        window = self.calls[key]
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        return True


class Guard:
    """Plain ASGI middleware (Starlette's BaseHTTPMiddleware costs a task per request):
    refuse bodies over the cap before reading them, and audit every API call once its
    answer is known."""

    def __init__(self, app: ASGIApp, hub: Hub) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            refusal = {"detail": f"Bodies over {MAX_BODY_BYTES // 1024**2} MB are refused."}
            await JSONResponse(refusal, status_code=413)(scope, receive, send)
            return
        status = 500

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, sent)
        path = scope["path"]
        state = scope.get("state", {})
        if path.startswith("/api/") and path != "/api/health" and not state.get("audited"):
            action = "refused" if status >= 400 else "read" if scope["method"] == "GET" else "write"
            caller = state.get("caller")
            target = f"{scope['method']} {path}"
            await run_in_threadpool(self.hub.record, caller, action, target, status)


def create_app(hub: Hub, rate_limit: int = RATE_LIMIT) -> FastAPI:
    app = FastAPI(
        title="Headway hub",
        description="Disclosure-safe sector evidence, deliberation and the asks ledger.",
        version="1",
    )
    limiter = RateLimiter(rate_limit)
    known: dict[str, Caller] = {}  # sha256 of a verified token -> its caller (argon2 once)

    def caller_of(request: Request) -> Caller:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        key = hashlib.sha256(token.encode()).hexdigest()
        who = known.get(key) or (hub.caller(token) if token else None)
        if who is None:
            raise HTTPException(401, "A valid hub token is needed (Authorization: Bearer ...).")
        known[key] = who
        request.state.caller = who
        if not limiter.allow(who.token_id):
            raise HTTPException(429, f"More than {limiter.per_minute} calls a minute.")
        return who

    def role(*allowed: str) -> Callable[[Request], Caller]:
        def check(request: Request) -> Caller:
            who = caller_of(request)
            if who.role not in allowed:
                raise HTTPException(403, f"The role '{who.role}' may not do this.")
            return who

        return check

    app.add_middleware(Guard, hub=hub)

    @app.exception_handler(HeadwayError)
    async def headway_error(_: Request, exc: HeadwayError) -> JSONResponse:
        return JSONResponse({"detail": f"{exc.message} {exc.hint}".strip()}, status_code=422)

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/submissions", status_code=201)
    async def submit(
        request: Request, response: Response, who: Caller = Depends(role("la submitter"))
    ) -> dict[str, Any]:
        raw = await request.body()
        # The checks and the database write block, so they run on the thread pool.
        stored = await run_in_threadpool(store, who, raw)
        request.state.audited = True
        if stored.outcome == "unchanged":
            response.status_code = 200
        s = stored.submission
        return {
            "id": s.id,
            "la_code": s.la_code,
            "period": s.period,
            "version": s.version,
            "outcome": stored.outcome,
            "sha256": s.sha256,
        }

    def store(who: Caller, raw: bytes) -> Stored:
        if len(raw) > MAX_BODY_BYTES:
            raise HTTPException(413, "The submission is too big.")
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise HTTPException(422, "The submission is not JSON.") from None
        if not isinstance(data, dict):
            raise HTTPException(422, "The submission is not a JSON object.")
        if unsafe := is_aggregate_safe(data):
            raise HTTPException(422, "Refused: child-level fields at " + ", ".join(unsafe[:5]))
        try:
            payload = SubmissionPayload.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise HTTPException(
                422, f"The submission does not match the schema: {where}: {first['msg']}"
            ) from None
        desk = payload.desk
        if desk is not None and (leaks := disclosure_audit(pd.DataFrame(desk.requests).T)):
            raise HTTPException(
                422, "Refused: the desk table would reveal small counts: " + "; ".join(leaks[:3])
            )
        if payload.la_code != who.la_code:
            raise HTTPException(403, f"This token submits for LA {who.la_code} only.")
        # audited in the same transaction as the submission: one commit, not two
        return hub.submit(who, payload.la_code, payload.period, data, "POST /api/submissions")

    @app.get("/api/submissions")
    def submissions(who: Caller = Depends(caller_of)) -> list[dict[str, Any]]:
        if who.role in LA_ROLES:
            rows = hub.submissions(who.la_code, current_only=False)
        else:
            rows = hub.submissions()
        return [
            {
                "id": s.id,
                "la_code": s.la_code,
                "period": s.period,
                "version": s.version,
                "received": s.received.isoformat(),
                "superseded": s.superseded is not None,
                "payload": json.loads(s.payload) if who.role in LA_ROLES else None,
            }
            for s in rows
        ]

    @app.get("/api/evidence/{pack}")
    def evidence(pack: str, _: Caller = Depends(caller_of)) -> dict[str, Any]:
        from headway.hub.evidence import build_evidence

        return build_evidence(hub, pack).to_json()

    @app.get("/api/deliberations/{topic}")
    def deliberation(topic: str, _: Caller = Depends(caller_of)) -> list[dict[str, Any]]:
        return [{"id": s.id, "text": s.text} for s in hub.statements(topic)]

    @app.post("/api/deliberations/{topic}/statements", status_code=201)
    def add_statement(
        topic: str, body: StatementIn, who: Caller = Depends(role(*LA_ROLES, "hub analyst"))
    ) -> dict[str, Any]:
        s = hub.add_statement(who, topic, body.text)
        return {"id": s.id, "text": s.text}

    @app.post("/api/deliberations/{topic}/votes", status_code=201)
    def vote(topic: str, body: VoteIn, who: Caller = Depends(role(*LA_ROLES))) -> dict[str, Any]:
        if body.statement not in {s.id for s in hub.statements(topic)}:
            raise HTTPException(404, f"No statement {body.statement} in '{topic}'.")
        hub.vote(who, body.statement, body.value)
        return {"statement": body.statement, "value": body.value}

    @app.get("/api/deliberations/{topic}/analysis")
    def analysis(topic: str, _: Caller = Depends(role("hub analyst", "admin"))) -> dict[str, Any]:
        from headway.hub.deliberate import analyse_topic

        return analyse_topic(hub, topic).to_json()

    @app.get("/api/asks")
    def asks(_: Caller = Depends(caller_of)) -> list[dict[str, Any]]:
        return [ask_json(a) for a in hub.asks()]

    @app.post("/api/asks", status_code=201)
    def add_ask(body: AskIn, _: Caller = Depends(role("hub analyst", "admin"))) -> dict[str, Any]:
        return ask_json(hub.add_ask(body.title, body.ask, body.pack, body.topic))

    @app.patch("/api/asks/{ask_id}")
    def update_ask(
        ask_id: int, body: AskUpdate, _: Caller = Depends(role("hub analyst", "admin"))
    ) -> dict[str, Any]:
        return ask_json(hub.update_ask(ask_id, body.status, body.response, body.on))

    @app.get("/api/audit")
    def audit(_: Caller = Depends(role("admin"))) -> list[dict[str, Any]]:
        return [
            {
                "at": a.at.isoformat(),
                "token": a.token_id,
                "role": a.role,
                "action": a.action,
                "target": a.target,
                "status": a.status,
            }
            for a in hub.audit()
        ]

    return app


def ask_json(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "ask": a.ask,
        "pack": a.pack,
        "topic": a.topic,
        "status": a.status,
        "raised": a.raised,
        "response": a.response,
        "responded": a.responded,
    }


DB_ENV = "HEADWAY_HUB_DB"


def from_environment() -> FastAPI:
    """The app on the database in $HEADWAY_HUB_DB: how each of several worker processes
    started by `headway hub serve --workers N` makes its own."""
    import os

    from headway.hub.store import hub_url

    return create_app(Hub.open(hub_url(os.environ.get(DB_ENV) or None)))
