"""Where the desk keeps its requests: SQLite in the workspace, or PostgreSQL by URL.

`Desk.open(url)` brings the schema up to date with Alembic before anything else, so a
desk made by an older Headway is migrated, never rebuilt. Every write is one transaction:
an import either adds all its new requests (and records its reconciliation) or nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from headway.db import Store, database_url
from headway.desk.model import (
    COST_OF_DELAY,
    LEVELS,
    OPEN_STATUSES,
    SOURCES,
    STATUSES,
    AdoptedPack,
    Analyst,
    Intake,
    Leave,
    Match,
    Request,
)
from headway.errors import HeadwayError

DESK_FILE = "desk.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # the desk's (the first area to use Alembic kept the default)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass
class RequestIn:
    """A request as intake reads it, before it is on the desk."""

    title: str
    source: str = "other"
    description: str = ""
    requester: str = ""
    requester_level: str = "team"
    received: date = field(default_factory=date.today)
    due: date | None = None
    statutory: bool = False
    inspection: bool = False
    children_affected: int | None = None
    effort_hours: float | None = None
    cost_of_delay: str = "low"
    status: str = "new"
    answered_by: str = ""
    notes: str = ""
    pack: str = ""
    origin: str = ""
    key: str = ""  # set by intake for pack and diff requests; else made from the content

    def problems(self) -> list[str]:
        """What is wrong with this request, in words an analyst can act on."""
        out = []
        if not self.title.strip():
            out.append("it has no title")
        if len(self.title) > 300:
            out.append("its title is longer than 300 characters")
        for name, value, allowed in (
            ("source", self.source, SOURCES),
            ("requester level", self.requester_level, LEVELS),
            ("cost of delay", self.cost_of_delay, COST_OF_DELAY),
            ("status", self.status, STATUSES),
        ):
            if value not in allowed:
                out.append(f"its {name} '{value}' is not one of: {', '.join(allowed)}")
        if self.due is not None and self.due < self.received:
            out.append(f"it is due ({self.due}) before it was received ({self.received})")
        if self.effort_hours is not None and not 0 <= self.effort_hours <= 2000:
            out.append(f"its effort {self.effort_hours} hours is not between 0 and 2,000")
        if self.children_affected is not None and self.children_affected < 0:
            out.append("its number of children affected is negative")
        return out

    def identity(self) -> str:
        """The key that makes the same request, imported again, a repeat and not a new one."""
        if self.key:
            return self.key
        text = "|".join(
            [self.source, _words(self.requester), _words(self.title), str(self.received)]
        )
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass
class IntakeResult:
    origin: str
    rows_read: int
    added: list[int]
    repeats: list[tuple[int, int]]  # (row index in the intake, id already on the desk)
    not_read: list[tuple[str, str]]  # (where, why)

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "rows_read": self.rows_read,
            "added": len(self.added),
            "added_ids": self.added,
            "repeats": [{"row": r, "already": i} for r, i in self.repeats],
            "not_read": [{"where": w, "why": y} for w, y in self.not_read],
        }


def desk_url(workspace_path: Path | None, db: str | None) -> str:
    """The desk's database URL: --db if given, else desk.sqlite in the workspace."""
    return database_url(db, workspace_path / DESK_FILE if workspace_path else None, "desk")


class Desk(Store):
    """One LA's desk: its requests, matches, team and adopted packs."""

    migrations = MIGRATIONS
    version_table = VERSION_TABLE
    what = "desk"

    # Requests -------------------------------------------------------------------------

    def add(
        self,
        items: Sequence[RequestIn],
        origin: str,
        not_read: Sequence[tuple[str, str]] = (),
        rows_read: int | None = None,
    ) -> IntakeResult:
        """Add what is new, count what is a repeat; record the intake. One transaction."""
        for i, item in enumerate(items):
            if wrong := item.problems():
                raise HeadwayError(
                    f"Request {i + 1} ('{item.title[:60]}') cannot go on the desk: "
                    + "; ".join(wrong)
                    + ".",
                    "Correct it and add it again.",
                )
        result = IntakeResult(
            origin,
            len(items) + len(not_read) if rows_read is None else rows_read,
            [],
            [],
            list(not_read),
        )
        now = _now()
        with self.session() as s:
            keys = [item.identity() for item in items]
            found = s.execute(select(Request.key, Request.id).where(Request.key.in_(keys)))
            existing = {key: request_id for key, request_id in found}
            for i, (item, key) in enumerate(zip(items, keys, strict=True)):
                if key in existing:
                    result.repeats.append((i, existing[key]))
                    continue
                values = {f.name: getattr(item, f.name) for f in fields(item)}
                row = Request(**{**values, "key": key, "created": now, "updated": now})
                s.add(row)
                s.flush()
                existing[key] = row.id
                result.added.append(row.id)
            s.add(
                Intake(
                    origin=origin[:300],
                    at=now,
                    rows_read=result.rows_read,
                    added=len(result.added),
                    repeats=len(result.repeats),
                    not_read=len(result.not_read),
                )
            )
        return result

    def requests(self, statuses: Sequence[str] = ()) -> list[Request]:
        with self.session() as s:
            query = select(Request).order_by(Request.id)
            if statuses:
                query = query.where(Request.status.in_(statuses))
            return list(s.scalars(query))

    def open_requests(self) -> list[Request]:
        return self.requests(OPEN_STATUSES)

    def get(self, request_id: int) -> Request:
        with self.session() as s:
            row = s.get(Request, request_id)
        if row is None:
            raise HeadwayError(
                f"There is no request {request_id} on this desk.",
                "See the requests with: headway desk list",
            )
        return row

    def update(self, request_id: int, **changes: Any) -> Request:
        """Change a request's status, answer, notes or estimates, checked as on intake."""
        row = self.get(request_id)
        values = {f.name: getattr(row, f.name) for f in fields(RequestIn)}
        unknown = set(changes) - set(values)
        if unknown:
            raise HeadwayError(f"A request has no field {', '.join(sorted(unknown))}.", "")
        values.update(changes)
        if wrong := RequestIn(**values).problems():
            raise HeadwayError(
                f"Request {request_id} cannot be changed that way: " + "; ".join(wrong) + ".",
                "",
            )
        with self.session() as s:
            stored = s.get(Request, request_id)
            assert stored is not None
            for name, value in changes.items():
                setattr(stored, name, value)
            stored.updated = _now()
        return self.get(request_id)

    def set_matches(self, suggestions: dict[int, list[Match]]) -> None:
        """Replace the match suggestions of these requests; mark new ones with a match."""
        with self.session() as s:
            for request_id, matches in suggestions.items():
                s.execute(delete(Match).where(Match.request_id == request_id))
                s.add_all(matches)
                row = s.get(Request, request_id)
                if row is not None and row.status == "new" and matches:
                    row.status = "matched"
                    row.updated = _now()

    def matches(self) -> dict[int, list[Match]]:
        with self.session() as s:
            out: dict[int, list[Match]] = {}
            for m in s.scalars(select(Match).order_by(Match.request_id, Match.rank)):
                out.setdefault(m.request_id, []).append(m)
            return out

    def intakes(self) -> list[Intake]:
        with self.session() as s:
            return list(s.scalars(select(Intake).order_by(Intake.id)))

    # Team -------------------------------------------------------------------------------

    def set_analyst(self, name: str, hours_per_week: float) -> None:
        if not name.strip():
            raise HeadwayError("An analyst needs a name.", "")
        if not 0 < hours_per_week <= 80:
            raise HeadwayError(
                f"{hours_per_week} hours a week is not a working week.",
                "Give the hours this person spends on desk work, between 0 and 80.",
            )
        with self.session() as s:
            s.merge(Analyst(name=name.strip(), hours_per_week=hours_per_week))

    def remove_analyst(self, name: str) -> None:
        with self.session() as s:
            row = s.get(Analyst, name)
            if row is None:
                raise HeadwayError(f"No analyst called '{name}' on this desk.", "")
            s.delete(row)

    def add_leave(self, name: str, first_day: date, last_day: date) -> None:
        if last_day < first_day:
            raise HeadwayError(f"Leave cannot end ({last_day}) before it starts ({first_day}).", "")
        with self.session() as s:
            if s.get(Analyst, name) is None:
                raise HeadwayError(
                    f"No analyst called '{name}' on this desk.",
                    f"Add them first: headway desk team add '{name}' --hours 37",
                )
            s.add(Leave(analyst=name, first_day=first_day, last_day=last_day))

    def team(self) -> list[tuple[Analyst, list[Leave]]]:
        with self.session() as s:
            leave: dict[str, list[Leave]] = {}
            for row in s.scalars(select(Leave).order_by(Leave.first_day)):
                leave.setdefault(row.analyst, []).append(row)
            analysts = s.scalars(select(Analyst).order_by(Analyst.name))
            return [(a, leave.get(a.name, [])) for a in analysts]

    # Adopted packs --------------------------------------------------------------------

    def adopt(self, pack_id: str) -> bool:
        """Record a pack as adopted; False if it already was."""
        with self.session() as s:
            if s.get(AdoptedPack, pack_id) is not None:
                return False
            s.add(AdoptedPack(pack=pack_id, adopted=_now()))
            return True

    def adopted(self) -> list[str]:
        with self.session() as s:
            return list(s.scalars(select(AdoptedPack.pack).order_by(AdoptedPack.pack)))

    def stamp(self) -> tuple[object, ...]:
        """Changes whenever the desk does: the web app recomputes its views when it changes."""
        with self.session() as s:
            return (
                s.scalar(select(func.count(Request.id))),
                s.scalar(select(func.max(Request.updated))),
                s.scalar(select(func.count()).select_from(Match)),
                s.scalar(select(func.count()).select_from(Analyst)),
                s.scalar(select(func.count()).select_from(Leave)),
                s.scalar(select(func.count()).select_from(AdoptedPack)),
            )
