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

import hmac
import json
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from headway.errors import HeadwayError
from headway.hub.disclosure import audit_by_row, is_aggregate_safe
from headway.hub.model import (
    ANALYSTS,
    ASK_EDITORS,
    AUDITORS,
    LA_ROLES,
    STATEMENT_WRITERS,
    SUBMITTERS,
    VOTERS,
)
from headway.hub.store import Caller, Hub, submission_params
from headway.hub.submission import SubmissionPayload

MAX_BODY_BYTES = 2 * 1024**2
INLINE_BYTES = 64 * 1024  # submissions up to this size are checked on the event loop
SUBMIT_TARGET = "POST /api/submissions"
RATE_LIMIT = 120  # calls per token per minute
RECHECK_SECONDS = 30.0  # how often a worker drops revoked tokens it has verified


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


class Receipt(BaseModel):
    """The hub's answer to a submission: 201 when stored (new, or superseding the last
    version), 200 when it is the same as the current version (a retry: nothing changes)."""

    id: int
    la_code: str
    period: str
    version: int
    outcome: Literal["new", "superseded", "unchanged"]
    sha256: str


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


def create_app(
    hub: Hub, rate_limit: int = RATE_LIMIT, recheck_seconds: float = RECHECK_SECONDS
) -> FastAPI:
    app = FastAPI(
        title="Headway hub",
        description="Disclosure-safe sector evidence, deliberation and the asks ledger.",
        version="1",
    )
    limiter = RateLimiter(rate_limit)
    # Verified tokens, by a keyed hash of the token (the key never leaves this process):
    # argon2 (about 0.2 s) is paid once per token per worker process, not on every call.
    # Every `recheck_seconds` one query lists the revoked tokens and drops them, so a revoked
    # token stops working within that time on every worker, at no cost per call.
    known: dict[bytes, Caller] = {}
    key = secrets.token_bytes(32)
    swept = [time.monotonic()]

    async def caller_of(request: Request) -> Caller:
        now = time.monotonic()
        if now - swept[0] > recheck_seconds:
            swept[0] = now  # before the query: concurrent calls do not sweep again
            revoked = await run_in_threadpool(hub.revoked)
            for mark in [m for m, c in known.items() if c.token_id in revoked]:
                del known[mark]
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        mark = hmac.digest(key, token.encode(), "sha256")
        who = known.get(mark)
        if who is None and token:
            # argon2 releases Python's lock: other calls go on while it works
            who = await run_in_threadpool(hub.caller, token)
        if who is None:
            raise HTTPException(401, "A valid hub token is needed (Authorization: Bearer ...).")
        known[mark] = who
        request.state.caller = who
        if not limiter.allow(who.token_id):
            raise HTTPException(429, f"More than {limiter.per_minute} calls a minute.")
        return who

    def role(*allowed: str) -> Callable[[Request], Awaitable[Caller]]:
        async def check(request: Request) -> Caller:
            who = await caller_of(request)
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

    postgres = hub.engine.dialect.name == "postgresql"

    @app.post("/api/submissions", status_code=201, response_model=Receipt)
    async def submit(request: Request, who: Caller = Depends(role(*SUBMITTERS))) -> Response:
        raw = await capped_body(request)
        # The checks take about a millisecond for a usual submission: on the event loop
        # rather than a thread's hop; a large one goes to a thread so others are not held.
        if len(raw) <= INLINE_BYTES:
            params = check(who, raw)
        else:
            params = await run_in_threadpool(check, who, raw)
        if postgres:  # one statement on the loop's own connection: no thread, one commit
            stored = await hub.store_async(params)
        else:
            stored = await run_in_threadpool(hub.store, params)
        request.state.audited = True  # in the same transaction as the submission
        answer = {
            "id": stored.id,
            "la_code": stored.la_code,
            "period": stored.period,
            "version": stored.version,
            "outcome": stored.outcome,
            "sha256": stored.sha256,
        }
        return Response(
            json.dumps(answer, separators=(",", ":")),
            status_code=200 if stored.outcome == "unchanged" else 201,
            media_type="application/json",
        )

    def check(who: Caller, raw: bytes) -> dict[str, Any]:
        """Every check of a submission, then what to store (with its audit row)."""
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
        if desk is not None and (leaks := audit_by_row(desk.requests)):
            raise HTTPException(
                422, "Refused: the desk table would reveal small counts: " + "; ".join(leaks[:3])
            )
        if payload.la_code != who.la_code:
            raise HTTPException(403, f"This token submits for LA {who.la_code} only.")
        return submission_params(who, payload.la_code, payload.period, data, SUBMIT_TARGET)

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
        topic: str, body: StatementIn, who: Caller = Depends(role(*STATEMENT_WRITERS))
    ) -> dict[str, Any]:
        s = hub.add_statement(who, topic, body.text)
        return {"id": s.id, "text": s.text}

    @app.post("/api/deliberations/{topic}/votes", status_code=201)
    def vote(topic: str, body: VoteIn, who: Caller = Depends(role(*VOTERS))) -> dict[str, Any]:
        if body.statement not in {s.id for s in hub.statements(topic)}:
            raise HTTPException(404, f"No statement {body.statement} in '{topic}'.")
        hub.vote(who, body.statement, body.value)
        return {"statement": body.statement, "value": body.value}

    @app.get("/api/deliberations/{topic}/analysis")
    def analysis(topic: str, _: Caller = Depends(role(*ANALYSTS))) -> dict[str, Any]:
        from headway.hub.deliberate import analyse_topic

        return analyse_topic(hub, topic).to_json()

    @app.get("/api/asks")
    def asks(_: Caller = Depends(caller_of)) -> list[dict[str, Any]]:
        return [ask_json(a) for a in hub.asks()]

    @app.post("/api/asks", status_code=201)
    def add_ask(body: AskIn, _: Caller = Depends(role(*ASK_EDITORS))) -> dict[str, Any]:
        return ask_json(hub.add_ask(body.title, body.ask, body.pack, body.topic))

    @app.patch("/api/asks/{ask_id}")
    def update_ask(
        ask_id: int, body: AskUpdate, _: Caller = Depends(role(*ASK_EDITORS))
    ) -> dict[str, Any]:
        return ask_json(hub.update_ask(ask_id, body.status, body.response, body.on))

    @app.get("/api/audit")
    def audit(_: Caller = Depends(role(*AUDITORS))) -> list[dict[str, Any]]:
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


async def capped_body(request: Request) -> bytes:
    """The body, refused as soon as it passes MAX_BODY_BYTES: the Guard refuses a declared
    length over the cap unread, and this stops a chunked body (no length) at the cap."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HTTPException(413, "The submission is too big.")
        chunks.append(chunk)
    return b"".join(chunks)


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
