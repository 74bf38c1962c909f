"""Getting requests onto the desk: from a request list (CSV or XLSX), from adopted packs
and from pack and standard diffs (`--to-desk` JSON).

Request lists come as people keep them (an inspector's log, a leader's spreadsheet), so
their columns are found by name with tolerance: known aliases first ("Deadline", "Required
by" and "Due date" all mean due), then rapidfuzz for near misses ("Date recieved"). A row
that cannot be read is reported with its line and the reason; it is never dropped silently.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from python_calamine import CalamineError, CalamineWorkbook
from rapidfuzz import fuzz, process

from headway.desk.store import Desk, IntakeResult, RequestIn
from headway.errors import HeadwayError
from headway.ingest.dates import parse_date
from headway.ingest.text_files import open_text, sniff_delimiter
from headway.ingest.xlsx_safety import inspect_xlsx
from headway.packs.model import Pack
from headway.readiness.engine import READY, PackReadiness, assess

MAX_LIST_BYTES = 20 * 1024**2  # a request log is a few hundred rows; anything bigger is not one
MILESTONE_HOURS = 2.0  # check the work that leads to a milestone is on track

# Each field and the headings people give it, in normalised form (lower case, words only).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "request", "request title", "information requested", "data requested",
              "data request", "ask", "subject", "summary", "query", "question", "what is needed",
              "request details", "details of request", "information request", "item requested"),
    "description": ("description", "details", "detail", "further information", "context",
                    "more detail", "full request", "request description"),
    "requester": ("requester", "requested by", "requestor", "from", "inspector", "asked by",
                  "who", "contact", "raised by", "name"),
    "requester_level": ("level", "role", "requester level", "requester role", "seniority",
                        "job title"),
    "source": ("source", "type", "route", "channel", "origin", "request type"),
    "received": ("received", "date received", "date requested", "request date", "date",
                 "date raised", "raised", "logged", "date logged", "date of request"),
    "due": ("due", "due date", "deadline", "required by", "needed by", "by when", "return by",
            "date required", "due by", "respond by"),
    "statutory": ("statutory", "is statutory", "statutory return"),
    "inspection": ("inspection", "ofsted", "inspection request"),
    "children_affected": ("children", "children affected", "number of children",
                          "cohort size", "no of children"),
    "effort_hours": ("effort", "effort hours", "hours", "estimate", "estimated hours",
                     "estimate hours", "time needed"),
    "cost_of_delay": ("cost of delay", "impact", "priority", "urgency", "rag"),
    "status": ("status", "state", "progress"),
    "answered_by": ("answered by", "output", "response", "answer", "sent"),
    "notes": ("notes", "comments", "comment", "analyst notes"),
    "ref": ("ref", "reference", "request no", "request number", "id", "no", "number"),
}  # fmt: skip
FUZZY_CUTOFF = 88

_SOURCE_WORDS = (
    ("inspector", ("ofsted", "inspector", "hmi", "jtai", "ilacs", "inspection")),
    ("national programme", ("dfe", "national", "programme", "department for education")),
    ("service leader", ("leader", "head of service", "director", "dcs", "manager", "hos")),
    ("pack requirement", ("pack requirement",)),
    ("pack diff", ("pack diff",)),
    ("standard diff", ("standard diff",)),
)
_LEVEL_WORDS = (
    ("inspector", ("inspector", "hmi", "ofsted")),
    ("national", ("dfe", "national", "minister", "department")),
    ("head of service", ("head of service", "hos", "assistant director")),
    ("director", ("director", "dcs", "chief executive", "lead member", "councillor")),
    ("manager", ("manager", "lead", "principal", "team leader", "iro")),
    ("team", ("team", "analyst", "worker", "officer")),
)
_COST_WORDS = {
    "high": "high", "h": "high", "red": "high", "urgent": "high", "critical": "high",
    "medium": "medium", "med": "medium", "m": "medium", "amber": "medium", "normal": "medium",
    "low": "low", "l": "low", "green": "low",
    "none": "none", "": "low",
}  # fmt: skip
_TRUE = {"yes", "y", "true", "1", "x", "statutory", "ofsted"}
_FALSE = {"no", "n", "false", "0", ""}


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass
class RequestList:
    """What a request list gave: the requests, the rows it could not read, its columns."""

    requests: list[RequestIn]
    not_read: list[tuple[str, str]]
    columns: dict[str, str]  # heading in the file -> field
    ignored: list[str] = field(default_factory=list)  # headings Headway did not use

    @property
    def rows_read(self) -> int:
        return len(self.requests) + len(self.not_read)


def map_columns(headings: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """Which column holds which field: exact aliases first, then close spellings."""
    lookup = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    found: dict[int, str] = {}
    for i, heading in enumerate(headings):
        key = _norm(heading)
        if key in lookup and lookup[key] not in found.values():
            found[i] = lookup[key]
    for i, heading in enumerate(headings):
        key = _norm(heading)
        if i in found or not key:
            continue
        best = process.extractOne(key, list(lookup), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best and lookup[best[0]] not in found.values():
            found[i] = lookup[best[0]]
    ignored = [h for i, h in enumerate(headings) if i not in found and h.strip()]
    if "title" not in found.values():
        raise HeadwayError(
            "Headway could not find which column holds the requests themselves "
            f"(the headings are: {', '.join(repr(h) for h in headings if h.strip())}).",
            "Name that column 'Request' or 'Title' and import the list again.",
        )
    return found, ignored


def _pick(text: str, table: Sequence[tuple[str, tuple[str, ...]]], what: str) -> str:
    words = _norm(text)
    for value, clues in table:
        if any(re.search(rf"\b{re.escape(c)}\b", words) for c in clues):
            return value
    raise ValueError(f"'{text}' is not a {what} Headway knows")


def _flag(text: str, what: str) -> bool:
    key = _norm(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"'{text}' in {what} is not yes or no")


def _number(text: str, what: str) -> float | None:
    cleaned = text.strip().lower().removesuffix("hours").removesuffix("h").strip()
    if not cleaned:
        return None
    try:
        return float(cleaned.replace(",", ""))
    except ValueError:
        raise ValueError(f"'{text}' in {what} is not a number") from None


def _day(value: object, what: str) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise ValueError(f"'{value}' in {what} is not a date")
    return parsed


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def row_request(values: dict[str, object], source: str, origin: str, today: date) -> RequestIn:
    """One row as a request, or ValueError saying what is wrong with it."""
    text = {name: _text(v) for name, v in values.items()}
    if not text.get("title"):
        raise ValueError("it has no request text")
    row_source = _pick(text["source"], _SOURCE_WORDS, "source") if text.get("source") else source
    level = text.get("requester_level") or text.get("requester", "")
    try:
        requester_level = _pick(level, _LEVEL_WORDS, "requester level") if level else "team"
    except ValueError:
        requester_level = "team"
    if row_source == "inspector" and not text.get("requester_level"):
        requester_level = "inspector"
    received = _day(values.get("received"), "the date received") or today
    cost = _norm(text.get("cost_of_delay", ""))
    if cost not in _COST_WORDS:
        raise ValueError(f"'{text['cost_of_delay']}' is not a priority (high, medium or low)")
    status = _norm(text.get("status", "")) or "new"
    status = {"open": "new", "complete": "done", "completed": "done", "closed": "done"}.get(
        status, status
    )
    children = _number(text.get("children_affected", ""), "children affected")
    return RequestIn(
        title=text["title"][:300],
        description=text.get("description", ""),
        source=row_source,
        requester=text.get("requester", ""),
        requester_level=requester_level,
        received=received,
        due=_day(values.get("due"), "the due date"),
        statutory=_flag(text.get("statutory", ""), "statutory"),
        inspection=row_source == "inspector" or _flag(text.get("inspection", ""), "inspection"),
        children_affected=None if children is None else int(children),
        effort_hours=_number(text.get("effort_hours", ""), "effort"),
        cost_of_delay=_COST_WORDS[cost],
        status=status,
        answered_by=text.get("answered_by", ""),
        notes=" ".join(
            filter(None, [f"Ref {text['ref']}." if text.get("ref") else "", text.get("notes", "")])
        ),
        origin=origin,
    )


def _table_rows(path: Path) -> Iterable[tuple[str, list[object]]]:
    """(where, cells) for every row of the list, the heading row first."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        # inspect_xlsx refuses zip bombs and damaged packages before calamine opens one.
        sheets = [s for s in inspect_xlsx(path).sheets if not s.hidden and s.part]
        try:
            name = sheets[0].name
            data: Sequence[Sequence[object]] = (
                CalamineWorkbook.from_path(str(path))
                .get_sheet_by_name(name)
                .to_python(skip_empty_area=False)
            )
        except (CalamineError, IndexError, ValueError) as exc:
            raise HeadwayError(
                f"{path.name} could not be read as a workbook ({exc}).",
                "Open it in Excel, save it as .xlsx or CSV, and import it again.",
            ) from None
        yield from ((f"{name}!row {i}", list(r)) for i, r in enumerate(data, start=1))
        return
    with open_text(path) as f:
        first = f.readline()
        f.seek(0)
        reader = csv.reader(f, delimiter=sniff_delimiter(first))
        for cells in reader:
            yield f"line {reader.line_num}", list(cells)


def read_request_list(path: Path, source: str = "other", today: date | None = None) -> RequestList:
    """Read a request list: every row becomes a request or a reason it could not."""
    if not path.is_file():
        raise HeadwayError(f"There is no file {path}.", "Check the path and try again.")
    size = path.stat().st_size
    if size > MAX_LIST_BYTES:
        raise HeadwayError(
            f"{path.name} is {size / 1024**2:,.0f} MB: too big to be a request list "
            f"(the limit is {MAX_LIST_BYTES // 1024**2} MB).",
            "Check it is the right file; split a very long log into several files.",
        )
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        raise HeadwayError(
            f"{path.name} is not a CSV or XLSX file.",
            "Save the request list as CSV or .xlsx and import it again.",
        )
    rows = iter(_table_rows(path))
    heading = next(((w, c) for w, c in rows if any(_text(x) for x in c)), None)
    if heading is None:
        raise HeadwayError(f"{path.name} is empty.", "Check it is the right file.")
    columns, ignored = map_columns([_text(c) for c in heading[1]])
    out = RequestList([], [], {_text(heading[1][i]): f for i, f in columns.items()}, ignored)
    for where, cells in rows:
        if not any(_text(c) for c in cells):
            continue  # blank rows between and after the list are layout, not requests
        values = {name: cells[i] if i < len(cells) else None for i, name in columns.items()}
        try:
            out.requests.append(row_request(values, source, path.name, today or date.today()))
        except ValueError as exc:
            out.not_read.append((where, str(exc)))
    return out


def _statutory(carried_by: Sequence[str]) -> bool:
    return any(c in ("cin_census", "ssda903", "sen2") for c in carried_by)


def pack_requests(pack: Pack, assessed: PackReadiness, today: date) -> list[RequestIn]:
    """An adopted pack's work as requests: each requirement not yet ready (with the effort
    to close it) and each milestone still ahead."""
    readiness = {r.id: r for r in assessed.requirements}
    out = []
    for req in pack.requirements:
        r = readiness[req.id]
        if r.status == READY:
            continue
        out.append(
            RequestIn(
                title=f"{pack.title}: {req.title}"[:300],
                description=f"{r.status}: " + "; ".join(r.reasons),
                source="pack requirement",
                requester=pack.owner,
                requester_level="national",
                received=today,
                due=req.due if req.due and req.due >= today else None,
                statutory=_statutory(req.carried_by),
                inspection="annex_a" in req.carried_by,
                effort_hours=r.effort_to_close,
                cost_of_delay="high" if r.status == "gap" else "medium",
                pack=pack.id,
                origin=f"pack {pack.id}",
                key=f"pack:{pack.id}:requirement:{req.id}",
            )
        )
    for m in pack.milestones:
        if m.date < today:
            continue
        out.append(
            RequestIn(
                title=f"{pack.title}: ready for {m.title}"[:300],
                description=m.description or f"Milestone on {m.date:%d %B %Y}.",
                source="pack requirement",
                requester=pack.owner,
                requester_level="national",
                received=today,
                due=m.date,
                effort_hours=MILESTONE_HOURS,
                cost_of_delay="medium",
                pack=pack.id,
                origin=f"pack {pack.id}",
                key=f"pack:{pack.id}:milestone:{m.id}",
            )
        )
    return out


_SEVERITY_COST = {"high": "high", "medium": "medium", "low": "low"}


def diff_requests(path: Path, today: date | None = None) -> list[RequestIn]:
    """The requests a pack or standard diff wrote with --to-desk."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HeadwayError(
            f"{path.name} is not a list of desk requests ({exc}).",
            "Make it with: headway pack diff A B --workspace DIR --to-desk FILE.json",
        ) from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise HeadwayError(
            f"{path.name} is not a list of desk requests.",
            "Make it with: headway pack diff A B --workspace DIR --to-desk FILE.json",
        )
    return [_diff_request(d, path.name, today or date.today()) for d in data]


def _diff_request(d: dict[str, Any], origin: str, today: date) -> RequestIn:
    try:
        source_text = str(d["source"])
        title = str(d["title"])
        due = _day(d.get("due"), "due")
        hours = float(d["effort_hours"])
    except (KeyError, TypeError, ValueError) as exc:
        raise HeadwayError(
            f"{origin} has a request Headway cannot read ({exc}).",
            "Write the file again with --to-desk from the same Headway version.",
        ) from None
    source = "standard diff" if source_text.startswith("standard diff") else "pack diff"
    items = ", ".join(str(i) for i in d.get("items", []))
    return RequestIn(
        title=title[:300],
        description=str(d.get("description", "")) + (f" Items: {items}." if items else ""),
        source=source,
        requester=source_text,
        requester_level="national",
        received=today,
        due=due if due and due >= today else None,
        effort_hours=hours,
        cost_of_delay=_SEVERITY_COST.get(str(d.get("severity")), "low"),
        origin=origin,
        key="diff:" + _norm(f"{source_text} {d.get('kind', '')} {title}")[:58],
    )


def sync_packs(
    desk: Desk, con: duckdb.DuckDBPyConnection, packs: Sequence[Pack], today: date
) -> tuple[IntakeResult, list[int]]:
    """Bring the desk up to date with its adopted packs: add their new work, and close the
    requirement requests whose requirement the LA's data now shows ready."""
    assessed = [(p, assess(con, p)) for p in packs]
    items = [r for p, a in assessed for r in pack_requests(p, a, today)]
    ready = {
        f"pack:{p.id}:requirement:{r.id}": f"readiness: {p.id} {r.id} is ready"
        for p, a in assessed
        for r in a.requirements
        if r.status == READY
    }
    result = desk.add(items, "adopted packs: " + ", ".join(p.id for p in packs))
    closed = []
    for r in desk.open_requests():
        if r.key in ready:
            desk.update(r.id, status="done", answered_by=ready[r.key])
            closed.append(r.id)
    return result, closed
