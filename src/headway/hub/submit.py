"""`headway submit`: build the LA's aggregate submission, control disclosure, send it.

The LA keeps what it last sent (outputs/hub/sent_PERIOD.json in the workspace), so this
period's desk table is protected against differencing with the last one published.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import httpx
import pandas as pd

from headway.desk.model import OPEN_STATUSES, SOURCES
from headway.desk.store import Desk
from headway.errors import HeadwayError
from headway.hub.disclosure import protect
from headway.hub.submission import (
    MIN_ROWS,
    SCHEMA,
    DeskLoad,
    ItemQuality,
    PackStatus,
    RequirementStatus,
    SubmissionPayload,
)
from headway.packs.model import Pack
from headway.quality.profile import profile
from headway.readiness import assess_all
from headway.workspace import Workspace

SENT_FOLDER = "hub"


def _share(part: int, whole: int) -> float | Literal["c"]:
    return round(part / whole, 3) if whole >= MIN_ROWS else "c"


def desk_table(desk: Desk, today: date) -> pd.DataFrame:
    """Open requests by source, on time and overdue: every source always has a row (zeros
    included), so this period's table and last period's can be compared cell by cell."""
    rows = {source: [0, 0] for source in SOURCES}
    for r in desk.requests(OPEN_STATUSES):
        rows[r.source][int(r.due is not None and r.due < today)] += 1
    return pd.DataFrame.from_dict(rows, orient="index", columns=["on time", "overdue"])


def _previous_desk(ws: Workspace) -> pd.DataFrame | None:
    sent = sorted((ws.outputs / SENT_FOLDER).glob("sent_*.json"))
    if not sent:
        return None
    desk = json.loads(sent[-1].read_text("utf-8")).get("desk")
    return None if not desk else pd.DataFrame(desk["requests"]).T


def build(
    ws: Workspace,
    desk: Desk | None,
    packs: Sequence[Pack],
    period: str,
    votes: Sequence[tuple[int, int]] = (),
) -> SubmissionPayload:
    """The submission for `period` from this workspace (and desk, when there is one)."""
    with ws.connect(read_only=True) as con:
        readiness = assess_all(con, packs)
        quality = profile(con)
    items = {i for p in packs for r in p.requirements for i in r.items}
    desk_load = None
    if desk is not None:
        protected = protect(desk_table(desk, date.today()), previous=_previous_desk(ws))
        desk_load = DeskLoad(requests=protected.by_row())
    return SubmissionPayload(
        schema=SCHEMA,
        la_code=ws.la_code,
        period=period,
        readiness=[
            PackStatus(
                pack=p.pack_id,
                version=p.version,
                score=p.score,
                requirements=[
                    RequirementStatus(id=r.id, status=r.status, effort_hours=r.effort_to_close)  # type: ignore[arg-type]
                    for r in p.requirements
                ],
            )
            for p in readiness
        ],
        quality=[
            ItemQuality(
                item=i.item_ref,
                completeness=_share(i.filled, i.rows),
                invalid=_share(i.invalid, i.filled),
            )
            for i in quality.items
            if i.item_ref and i.item_ref in items
        ],
        desk=desk_load,
        votes=[{"statement": s, "value": v} for s, v in votes],  # type: ignore[misc]
    )


def to_json(payload: SubmissionPayload) -> dict[str, Any]:
    data: dict[str, Any] = payload.model_dump(mode="json", by_alias=True)
    return data


def send(hub: str, token: str, payload: SubmissionPayload, ws: Workspace) -> dict[str, Any]:
    """POST the submission; keep what was sent for next period's differencing check."""
    body = to_json(payload)
    url = hub.rstrip("/") + "/api/submissions"
    try:
        response = httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"},
                              timeout=30)  # fmt: skip
    except httpx.HTTPError as exc:
        raise HeadwayError(
            f"Could not reach the hub at {hub} ({exc}).", "Check the URL and your connection."
        ) from None
    if response.status_code >= 400:
        detail = response.json().get("detail", response.text) if response.content else ""
        raise HeadwayError(f"The hub refused the submission ({response.status_code}): {detail}", "")
    folder = ws.outputs / SENT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"sent_{payload.period}.json").write_text(json.dumps(body, indent=2), "utf-8")
    result: dict[str, Any] = response.json()
    return result
