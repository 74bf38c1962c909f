"""The hub's records: tokens, LAs, submissions, statements and votes, asks, audit.

Tokens are shown once when made and stored only as an argon2id hash of their secret part.
A submission is idempotent per LA and period: sending the same payload again changes
nothing; a different one becomes a new version that supersedes the last, and both stay.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from psycopg.pq import TransactionStatus
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from headway.db import Store, centre_url
from headway.errors import HeadwayError
from headway.hub.model import (
    ASK_STATUSES,
    ROLES,
    Ask,
    Audit,
    LocalAuthority,
    Statement,
    Submission,
    Token,
    Vote,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version_hub"
TOKEN_PREFIX = "hwt"
_hasher = PasswordHasher()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def hub_url(db: str | None, folder: Path | None = None) -> str:
    """--db if given, else the Centre's database in its folder ($HEADWAY_CENTRE)."""
    return centre_url(db, folder, "hub")


@dataclass(frozen=True)
class Caller:
    """Who is calling: their token's id, role and LA."""

    token_id: str
    role: str
    la_code: str | None


@dataclass(frozen=True)
class Stored:
    """The hub's receipt for a submission."""

    id: int
    la_code: str
    period: str
    version: int
    sha256: str
    outcome: str  # "new", "unchanged" (a retry) or "superseded" (a correction)


# On PostgreSQL a submission is one statement, committed on its own: find the current
# version, store the new one unless it is the same content (a retry), supersede the old
# one, and write the audit row, all in one round trip and one commit. Two copies racing
# for the same version cannot both win: the unique (la_code, period, version) fails the
# loser, whose retry then finds the winner (the same as the sessions below).
SUBMIT_SQL = """
WITH cur AS (
    SELECT id, version, sha256 FROM hub_submissions
    WHERE la_code = %(la_code)s::text AND period = %(period)s::text AND superseded IS NULL
    ORDER BY version DESC LIMIT 1
), ins AS (
    INSERT INTO hub_submissions (la_code, period, version, sha256, payload, received, token_id)
    SELECT %(la_code)s::text, %(period)s::text, coalesce((SELECT version FROM cur), 0) + 1,
        %(sha256)s::text, %(payload)s::text, %(now)s, %(token_id)s::text
    WHERE NOT EXISTS (SELECT 1 FROM cur WHERE sha256 = %(sha256)s::text)
    RETURNING id, version
), old AS (
    UPDATE hub_submissions SET superseded = %(now)s
    WHERE id IN (SELECT id FROM cur) AND EXISTS (SELECT 1 FROM ins)
), log AS (
    INSERT INTO hub_audit (at, token_id, role, action, target, status)
    SELECT %(now)s, %(token_id)s::text, %(role)s::text, 'write', %(target)s::text,
        CASE WHEN EXISTS (SELECT 1 FROM ins) THEN 201 ELSE 200 END
    WHERE %(audited)s
)
SELECT id, version, CASE WHEN EXISTS (SELECT 1 FROM cur) THEN 'superseded' ELSE 'new' END
FROM ins
UNION ALL
SELECT id, version, 'unchanged' FROM cur WHERE sha256 = %(sha256)s::text
"""
SUBMIT_ATTEMPTS = 10  # a copy that loses a race is tried again (each round one wins)


class Hub(Store):
    migrations = MIGRATIONS
    version_table = VERSION_TABLE
    what = "hub"
    _pool: AsyncPool | None = None  # the API's connections on PostgreSQL (submit_async)

    # Tokens -------------------------------------------------------------------------------

    def create_token(self, role: str, la_code: str | None, label: str = "") -> str:
        """A new token, returned once: only its hash is kept."""
        if role not in ROLES:
            raise HeadwayError(f"'{role}' is not a role.", f"Use one of: {', '.join(ROLES)}.")
        if role.startswith("la ") and not la_code:
            raise HeadwayError(f"A token for the role '{role}' needs --la CODE.", "")
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(24)
        with self.session() as s:
            s.add(
                Token(
                    id=token_id,
                    secret_hash=_hasher.hash(secret),
                    role=role,
                    la_code=la_code if role.startswith("la ") else None,
                    label=label,
                    created=_now(),
                )
            )
        return f"{TOKEN_PREFIX}_{token_id}_{secret}"

    def caller(self, token: str) -> Caller | None:
        """The caller a token belongs to, or None for an unknown, wrong or revoked token."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        with self.session() as s:
            row = s.get(Token, parts[1])
        if row is None or row.revoked is not None:
            return None
        try:
            _hasher.verify(row.secret_hash, parts[2])
        except (VerificationError, InvalidHashError):
            return None
        return Caller(row.id, row.role, row.la_code)

    def revoked(self) -> set[str]:
        """The ids of every revoked token: one query, for a running hub's periodic sweep."""
        with self.session() as s:
            return set(s.scalars(select(Token.id).where(Token.revoked.is_not(None))))

    def revoke(self, token_id: str) -> None:
        with self.session() as s:
            row = s.get(Token, token_id)
            if row is None:
                raise HeadwayError(f"No token {token_id}.", "")
            row.revoked = _now()

    # LAs ------------------------------------------------------------------------------------

    def add_las(self, las: Sequence[tuple[str, str, str]]) -> None:
        """(code, name, region) for each LA; an LA already known is updated."""
        with self.session() as s:
            for code, name, region in las:
                s.merge(LocalAuthority(code=code, name=name, region=region))

    def regions(self) -> dict[str, str]:
        with self.session() as s:
            return {la.code: la.region for la in s.scalars(select(LocalAuthority))}

    # Submissions ------------------------------------------------------------------------

    def submit(
        self, caller: Caller, la_code: str, period: str, payload: dict[str, Any], audit: str = ""
    ) -> Stored:
        """Store a submission; a concurrent copy that loses the race is tried again, and
        then finds the winner's identical row (a retry) or supersedes it (a correction).
        With `audit`, the audit row is written in the same transaction."""
        return self.store(submission_params(caller, la_code, period, payload, audit))

    def store(self, params: dict[str, Any]) -> Stored:
        """`submit` of what `submission_params` made."""
        for attempt in range(SUBMIT_ATTEMPTS):
            try:
                if self.engine.dialect.name == "postgresql":
                    with self.engine.connect() as connection:
                        row = connection.exec_driver_sql(SUBMIT_SQL, params).one()
                        connection.commit()
                    return _receipt(params, tuple(row))
                return self._submit(params)
            except IntegrityError:
                if attempt == SUBMIT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def store_async(self, params: dict[str, Any]) -> Stored:
        """`store` on PostgreSQL from the event loop, on a connection of this process's own
        (psycopg, autocommit: the statement is the transaction), for the API's hot path."""
        for attempt in range(SUBMIT_ATTEMPTS):
            try:
                async with self._async_pool().connection() as connection:
                    cursor = await connection.execute(SUBMIT_SQL, params)
                    row = await cursor.fetchone()
                if row is None:  # unreachable: the statement always answers one row
                    raise HeadwayError("The hub did not store the submission.")
                return _receipt(params, row)
            except (psycopg.errors.UniqueViolation, psycopg.OperationalError):
                # lost a race, or a connection the server has dropped (it is not reused):
                # either way trying again is safe, as a resent submission changes nothing
                if attempt == SUBMIT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _async_pool(self) -> AsyncPool:
        """The pool of the running event loop (a test client may run several in turn)."""
        loop = asyncio.get_running_loop()
        if self._pool is None or self._pool.loop is not loop:
            if self._pool is not None:
                self._pool.discard()
            _, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
            kwargs.pop("context", None)  # SQLAlchemy's adapters, for its own connections
            self._pool = AsyncPool(loop, dict(kwargs), ASYNC_POOL_SIZE)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.discard()
            self._pool = None
        super().close()

    def _submit(self, params: dict[str, Any]) -> Stored:
        """`store` in a session, for SQLite."""
        la_code, period, digest = params["la_code"], params["period"], params["sha256"]
        caller = Caller(params["token_id"], params["role"], la_code)
        with self.session() as s:
            current = self._current(s, la_code, period)
            if current is not None and current.sha256 == digest:
                if params["audited"]:
                    self._record(s, caller, "write", params["target"], 200)
                return _receipt(params, (current.id, current.version, "unchanged"))
            row = Submission(
                la_code=la_code,
                period=period,
                sha256=digest,
                payload=params["payload"],
                version=(current.version + 1) if current else 1,
                received=params["now"],
                token_id=caller.token_id,
            )
            if current is not None:
                current.superseded = params["now"]
            s.add(row)
            s.flush()
            if params["audited"]:
                self._record(s, caller, "write", params["target"], 201)
            return _receipt(params, (row.id, row.version, "superseded" if current else "new"))

    def _current(self, s: Session, la_code: str, period: str) -> Submission | None:
        query = select(Submission).where(
            Submission.la_code == la_code,
            Submission.period == period,
            Submission.superseded.is_(None),
        )
        return s.scalar(query)

    def submissions(
        self, la_code: str | None = None, current_only: bool = True
    ) -> list[Submission]:
        with self.session() as s:
            query = select(Submission).order_by(
                Submission.la_code, Submission.period, Submission.version
            )
            if la_code is not None:
                query = query.where(Submission.la_code == la_code)
            if current_only:
                query = query.where(Submission.superseded.is_(None))
            return list(s.scalars(query))

    def latest(self) -> dict[str, dict[str, Any]]:
        """Each LA's latest current submission (the latest period), as its payload."""
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        for sub in self.submissions():
            if sub.la_code not in out or sub.period > out[sub.la_code][0]:
                out[sub.la_code] = (sub.period, json.loads(sub.payload))
        return {la: payload for la, (_, payload) in out.items()}

    # Deliberation ---------------------------------------------------------------------------

    def add_statement(self, caller: Caller, topic: str, text: str) -> Statement:
        if not text.strip() or len(text) > 1000:
            raise HeadwayError("A statement is between 1 and 1,000 characters.", "")
        with self.session() as s:
            row = Statement(topic=topic, text=text.strip(), author=caller.token_id, created=_now())
            s.add(row)
            s.flush()
        return row

    def statements(self, topic: str) -> list[Statement]:
        with self.session() as s:
            query = select(Statement).where(Statement.topic == topic).order_by(Statement.id)
            return list(s.scalars(query))

    def vote(self, caller: Caller, statement_id: int, value: int) -> None:
        if value not in (-1, 0, 1):
            raise HeadwayError("A vote is 1 (agree), -1 (disagree) or 0 (pass).", "")
        with self.session() as s:
            if s.get(Statement, statement_id) is None:
                raise HeadwayError(f"No statement {statement_id}.", "")
            s.merge(
                Vote(statement_id=statement_id, participant=caller.token_id, value=value, at=_now())
            )

    def votes(self, topic: str) -> list[Vote]:
        with self.session() as s:
            query = select(Vote).join(Statement).where(Statement.topic == topic)
            return list(s.scalars(query))

    # Asks ---------------------------------------------------------------------------------

    def add_ask(self, title: str, ask: str, pack: str, topic: str) -> Ask:
        with self.session() as s:
            row = Ask(
                title=title,
                ask=ask,
                pack=pack,
                topic=topic,
                status="drafted",
                raised=None,
                response="",
                responded=None,
                updated=_now(),
            )
            s.add(row)
            s.flush()
        return row

    def update_ask(
        self,
        ask_id: int,
        status: str,
        response: str = "",
        on: date | None = None,
    ) -> Ask:
        if status not in ASK_STATUSES:
            raise HeadwayError(f"'{status}' is not a status.", f"Use: {', '.join(ASK_STATUSES)}.")
        with self.session() as s:
            row = s.get(Ask, ask_id)
            if row is None:
                raise HeadwayError(f"No ask {ask_id}.", "")
            row.status = status
            if status == "raised":
                row.raised = on or date.today()
            if response:
                row.response, row.responded = response, on or date.today()
            row.updated = _now()
        return row

    def asks(self) -> list[Ask]:
        with self.session() as s:
            return list(s.scalars(select(Ask).order_by(Ask.id)))

    # Audit ----------------------------------------------------------------------------------

    def record(self, caller: Caller | None, action: str, target: str, status: int) -> None:
        with self.session() as s:
            self._record(s, caller, action, target, status)

    def _record(
        self, s: Session, caller: Caller | None, action: str, target: str, status: int
    ) -> None:
        s.add(
            Audit(
                at=_now(),
                token_id=caller.token_id if caller else "-",
                role=caller.role if caller else "-",
                action=action,
                target=target[:300],
                status=status,
            )
        )

    def audit(self) -> list[Audit]:
        with self.session() as s:
            return list(s.scalars(select(Audit).order_by(Audit.id)))


def submission_params(
    caller: Caller, la_code: str, period: str, payload: dict[str, Any], audit: str = ""
) -> dict[str, Any]:
    """What `submit` stores: the payload as JSON, and the SHA-256 of what was submitted (not
    when it was built: a retry built again is the same), with who and when."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    content = {k: v for k, v in payload.items() if k != "generated"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return {
        "la_code": la_code,
        "period": period,
        "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        "payload": text,
        "now": _now(),
        "token_id": caller.token_id,
        "role": caller.role,
        "target": audit[:300],
        "audited": bool(audit),
    }


def _receipt(params: dict[str, Any], row: tuple[Any, ...]) -> Stored:
    submission_id, version, outcome = row
    return Stored(
        submission_id, params["la_code"], params["period"], version, params["sha256"], outcome
    )


ASYNC_POOL_SIZE = 8  # connections per worker process; more only queue in PostgreSQL


class AsyncPool:
    """A few autocommit psycopg connections for one event loop. Written here rather than
    with psycopg_pool: it is this small, and the hub needs nothing more (a connection that
    breaks is dropped, and the next call opens another)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, kwargs: dict[str, Any], size: int) -> None:
        self.loop = loop
        self.kwargs = kwargs
        self.idle: list[psycopg.AsyncConnection[Any]] = []
        self.slots = asyncio.Semaphore(size)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        async with self.slots:
            connection = self.idle.pop() if self.idle else None
            if connection is None or connection.closed:
                connection = await psycopg.AsyncConnection.connect(autocommit=True, **self.kwargs)
            try:
                yield connection
            finally:
                idle = connection.info.transaction_status == TransactionStatus.IDLE
                if connection.closed or not idle:
                    await connection.close()
                else:
                    self.idle.append(connection)

    def discard(self) -> None:
        """Close the connections (of a loop that has gone: without awaiting it)."""
        for connection in self.idle:
            connection.pgconn.finish()
        self.idle.clear()
