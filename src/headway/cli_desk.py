"""`headway desk`: the queue of every demand on the data function, planned on capacity."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from headway.cli_common import (
    JsonOpt,
    WorkspaceOpt,
    console,
    fail,
    out,
    print_json,
    progress,
    run,
)
from headway.desk.model import COST_OF_DELAY, LEVELS, OPEN_STATUSES, SOURCES, STATUSES, Request
from headway.desk.plan import Analyst, Job, Plan, Scheduled, make_plan, whatif
from headway.desk.planning import PlannedRequest, jobs, planned_requests, team
from headway.desk.priority import Weights, workspace_weights
from headway.desk.store import Desk, IntakeResult, RequestIn, desk_url
from headway.workspace import Workspace, default_workspace_dir

desk_app = typer.Typer(help="The desk: every request on the data function, matched and planned.")
team_app = typer.Typer(help="The team whose hours the plan uses.")
desk_app.add_typer(team_app, name="team")

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="A shared desk in PostgreSQL: postgresql://user@host/db."),
]
WeightsOpt = Annotated[
    Path | None,
    typer.Option(
        "--weights",
        help="YAML file of priority weights (default: the workspace's "
        "desk-priority.yaml if there is one, else Headway's defaults).",
    ),
]
StartOpt = Annotated[
    str | None, typer.Option("--start", help="First day of the plan (default: today).")
]
WeeksOpt = Annotated[int, typer.Option("--weeks", min=1, max=104, help="Weeks to plan.")]
TimeLimitOpt = Annotated[
    float, typer.Option("--time-limit", min=0.1, help="Seconds the optimiser may take.")
]


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"'{text}' is not a date for {what}.", "Write it as YYYY-MM-DD, e.g. 2026-12-07.")
    raise AssertionError("unreachable")


def _workspace(path: Path | None, needed: bool) -> Workspace | None:
    folder = path or default_workspace_dir()
    if not needed and not (folder / "workspace.toml").exists():
        return None
    return run(lambda: Workspace.open(folder))


@contextmanager
def _desk(workspace: Path | None, db: str | None) -> Iterator[tuple[Desk, Workspace | None]]:
    ws = _workspace(workspace, needed=db is None)
    desk = run(lambda: Desk.open(desk_url(ws.path if ws else None, db)))
    try:
        yield desk, ws
    finally:
        desk.close()


def _weights(ws: Workspace | None, path: Path | None) -> Weights:
    return run(lambda: workspace_weights(ws.path if ws else None, path))


def _packs(adopted_by: Desk | None = None) -> list[Any]:
    """The shipped packs; with a desk, only those it has adopted."""
    from headway.packs import library

    packs = run(library)
    if adopted_by is None:
        return packs
    adopted = set(adopted_by.adopted())
    return [p for p in packs if p.id in adopted]


def _match(desk: Desk, requests: Sequence[Request], quiet: bool) -> None:
    from headway.desk.suggest import suggest

    if not requests:
        return
    with progress("Matching requests", len(requests), quiet) as advance:
        run(lambda: suggest(desk, _packs(), requests, advance))


def _show_intake(result: IntakeResult, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        print_json(result.to_json() | (extra or {}))
        return
    out.print(
        f"{result.origin}: {result.rows_read} read = {len(result.added)} added + "
        f"{len(result.repeats)} already on the desk + {len(result.not_read)} not read"
    )
    for where, why in result.not_read:
        out.print(f"  [red]not read[/] {escape(where)}: {escape(why)}")


# --- intake ---------------------------------------------------------------------------------


@desk_app.command("add")
def desk_add(
    title: Annotated[str, typer.Argument(help="The request, in the asker's words.")],
    source: Annotated[str, typer.Option(help=f"One of: {', '.join(SOURCES)}.")] = "other",
    requester: Annotated[str, typer.Option(help="Who asked.")] = "",
    level: Annotated[str, typer.Option(help=f"Their level: {', '.join(LEVELS)}.")] = "team",
    description: Annotated[str, typer.Option(help="More detail.")] = "",
    received: Annotated[str | None, typer.Option(help="Date received (default today).")] = None,
    due: Annotated[str | None, typer.Option(help="Date due, YYYY-MM-DD.")] = None,
    statutory: Annotated[bool, typer.Option(help="A statutory duty.")] = False,
    inspection: Annotated[bool, typer.Option(help="For an inspection.")] = False,
    children: Annotated[int | None, typer.Option(help="Children affected.")] = None,
    hours: Annotated[float | None, typer.Option(help="Effort estimate, hours.")] = None,
    cost: Annotated[str, typer.Option(help=f"Cost of delay: {', '.join(COST_OF_DELAY)}.")] = "low",
    notes: Annotated[str, typer.Option(help="Notes.")] = "",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put one request on the desk, and match it."""
    item = RequestIn(
        title=title,
        source=source,
        requester=requester,
        requester_level=level,
        description=description,
        received=_day(received, "--received") or date.today(),
        due=_day(due, "--due"),
        statutory=statutory,
        inspection=inspection or source == "inspector",
        children_affected=children,
        effort_hours=hours,
        cost_of_delay=cost,
        notes=notes,
        origin="headway desk add",
    )
    with _desk(workspace, db) as (desk, _):
        result = run(lambda: desk.add([item], "headway desk add"))
        _match(desk, [desk.get(i) for i in result.added], quiet=as_json)
        _show_intake(result, as_json)
        for i in result.added:
            _print_matches(desk, i, as_json)


def _print_matches(desk: Desk, request_id: int, as_json: bool) -> None:
    if as_json:
        return
    for m in desk.matches().get(request_id, []):
        out.print(f"  request {request_id}: {escape(m.reason)}")


@desk_app.command("import")
def desk_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="A request list (CSV or XLSX), or the JSON "
            "that `pack diff` / `standard diff --to-desk` wrote."
        ),
    ],
    source: Annotated[
        str,
        typer.Option(
            help="Where the list's requests come from when it "
            f"has no source column: {', '.join(SOURCES)}."
        ),
    ] = "other",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a request list or a diff's requests; re-importing adds nothing twice."""
    with _desk(workspace, db) as (desk, _):
        result = _import_file(desk, file, source, as_json)
        _show_intake(result, as_json)
        if not as_json:
            matched = desk.matches()
            answered = sum(1 for i in result.added if matched.get(i))
            out.print(f"{answered} of the {len(result.added)} new requests have a match.")


def _import_file(desk: Desk, file: Path, source: str, quiet: bool) -> IntakeResult:
    """Add a request list's (or a diff's) requests to the desk, and match the new ones."""
    from headway.desk.importing import import_file

    packs = _packs()
    with progress("Matching requests", None, quiet) as advance:
        imported = run(lambda: import_file(desk, file, source, packs, advance=advance))
    if not quiet and imported.ignored_columns:
        out.print(f"Columns not used: {escape(', '.join(imported.ignored_columns))}")
    return imported.result


@desk_app.command("adopt")
def desk_adopt(
    packs: Annotated[list[str], typer.Argument(help="Pack ids (see `headway pack list`).")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Adopt packs: their requirements not yet ready and their milestones become requests."""
    known = {p.id for p in _packs()}
    unknown = [p for p in packs if p not in known]
    if unknown:
        fail(f"No shipped pack {', '.join(unknown)}.", "See them with: headway pack list")
    with _desk(workspace, db) as (desk, ws):
        for p in packs:
            desk.adopt(p)
        _sync(desk, ws, as_json)


@desk_app.command("sync")
def desk_sync(workspace: WorkspaceOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Refresh requests from the adopted packs: add new work, close what is now ready."""
    with _desk(workspace, db) as (desk, ws):
        _sync(desk, ws, as_json)


def _sync(desk: Desk, ws: Workspace | None, as_json: bool) -> None:
    from headway.desk.intake import sync_packs

    if ws is None:
        fail("Syncing packs needs the LA workspace.", "Give --workspace DIR.")
        return
    with ws.connect(read_only=True) as con:
        result, closed = run(lambda: sync_packs(desk, con, _packs(desk), date.today()))
    _match(desk, [desk.get(i) for i in result.added], quiet=as_json)
    _show_intake(result, as_json, {"closed_as_ready": closed})
    if not as_json and closed:
        out.print(f"Closed {len(closed)} requests whose requirement is now ready.")


# --- reading the desk -------------------------------------------------------------------------


@desk_app.command("list")
def desk_list(
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status", help="Only these statuses (repeat the option); default: the open ones."
        ),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every request, closed ones too.")] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    weights: WeightsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The requests on the desk with their priority, highest first."""
    for s in status or []:
        if s not in STATUSES:
            fail(f"'{s}' is not a status.", f"Use one of: {', '.join(STATUSES)}.")
    with _desk(workspace, db) as (desk, ws):
        chosen = desk.requests(() if every else (status or OPEN_STATUSES))
        planned = planned_requests(desk, date.today(), _weights(ws, weights), chosen)
        matches = desk.matches()
    planned.sort(key=lambda p: -p.priority.score)
    if as_json:
        print_json([_request_json(p, matches.get(p.request.id, [])) for p in planned])
        return
    t = Table(
        "#",
        "Request",
        "Source",
        "Due",
        "Status",
        "Priority",
        "Hours",
        "Best match",
        title=f"{len(planned)} requests",
    )
    for p in planned:
        r = p.request
        best = matches.get(r.id, [])
        t.add_row(
            str(r.id),
            escape(r.title),
            r.source,
            str(r.due or ""),
            r.status,
            f"{p.priority.score:.0f}",
            f"{p.hours:g}",
            escape(best[0].reason) if best else "",
        )
    out.print(t)


def _request_json(p: PlannedRequest, matches: Sequence[Any]) -> dict[str, Any]:
    r = p.request
    return {
        "id": r.id,
        "title": r.title,
        "description": r.description,
        "source": r.source,
        "requester": r.requester,
        "requester_level": r.requester_level,
        "received": r.received,
        "due": r.due,
        "statutory": r.statutory,
        "inspection": r.inspection,
        "children_affected": r.children_affected,
        "effort_hours": r.effort_hours,
        "cost_of_delay": r.cost_of_delay,
        "status": r.status,
        "answered_by": r.answered_by,
        "notes": r.notes,
        "pack": r.pack,
        "origin": r.origin,
        "planned_hours": p.hours,
        "hours_basis": p.hours_basis,
        "priority": p.priority.to_json(),
        "matches": [
            {
                "candidate": m.candidate,
                "kind": m.kind,
                "title": m.title,
                "score": m.score,
                "reason": m.reason,
            }
            for m in matches
        ],
    }


@desk_app.command("show")
def desk_show(
    request_id: Annotated[int, typer.Argument(help="The request's number.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    weights: WeightsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One request: its details, each priority factor's contribution and its matches."""
    with _desk(workspace, db) as (desk, ws):
        r = run(lambda: desk.get(request_id))
        (p,) = planned_requests(desk, date.today(), _weights(ws, weights), [r])
        data = _request_json(p, desk.matches().get(r.id, []))
    if as_json:
        print_json(data)
        return
    out.print(f"[bold]#{r.id} {escape(r.title)}[/]  ({r.status})")
    out.print(
        f"{r.source}, asked by {escape(r.requester or 'unknown')} ({r.requester_level}) "
        f"on {r.received}; due {r.due or 'no date'}; {p.hours:g} h ({p.hours_basis})"
    )
    if r.description:
        out.print(escape(r.description))
    t = Table("Priority factor", "Value", "Points", title=f"Priority {p.priority.score:g}")
    for f in p.priority.factors:
        t.add_row(f.name, escape(f.value), f"{f.points:g}")
    out.print(t)
    for m in data["matches"]:
        out.print(f"Match: {escape(m['reason'])}")


@desk_app.command("update")
def desk_update(
    request_id: Annotated[int, typer.Argument(help="The request's number.")],
    status: Annotated[str | None, typer.Option(help=f"One of: {', '.join(STATUSES)}.")] = None,
    answered_by: Annotated[str | None, typer.Option(help="The output that answered it.")] = None,
    hours: Annotated[float | None, typer.Option(help="Effort estimate, hours.")] = None,
    due: Annotated[str | None, typer.Option(help="New due date, YYYY-MM-DD.")] = None,
    notes: Annotated[str | None, typer.Option(help="Replace the notes.")] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Change a request: its status, what answered it, its estimate, due date or notes."""
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "status": status,
            "answered_by": answered_by,
            "effort_hours": hours,
            "due": _day(due, "--due"),
            "notes": notes,
        }.items()
        if v is not None
    }
    if not changes:
        fail("Nothing to change.", "Give --status, --answered-by, --hours, --due or --notes.")
    with _desk(workspace, db) as (desk, _):
        r = run(lambda: desk.update(request_id, **changes))
    console.print(f"Request {r.id} is now {r.status}.")


@desk_app.command("match")
def desk_match(
    every: Annotated[bool, typer.Option("--all", help="Closed requests too.")] = False,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Match requests against existing outputs, measures, pack requirements and past requests."""
    with _desk(workspace, db) as (desk, _):
        chosen = desk.requests() if every else desk.open_requests()
        _match(desk, chosen, quiet=as_json)
        found = desk.matches()
    rows = [(r, found.get(r.id, [])) for r in chosen]
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "matches": [
                        {"candidate": m.candidate, "score": m.score, "reason": m.reason} for m in ms
                    ],
                }
                for r, ms in rows
            ]
        )
        return
    t = Table("#", "Request", "Best candidates", title="Matches")
    for r, ms in rows:
        t.add_row(str(r.id), escape(r.title), escape("\n".join(m.reason for m in ms)) or "none")
    out.print(t)
    out.print(f"{sum(1 for _, ms in rows if ms)} of {len(rows)} requests have a match.")


# --- team ---------------------------------------------------------------------------------


@team_app.command("add")
def team_add(
    name: Annotated[str, typer.Argument(help="The analyst's name.")],
    hours: Annotated[float, typer.Option("--hours", help="Hours a week on desk work.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Add an analyst (or change their hours)."""
    with _desk(workspace, db) as (desk, _):
        run(lambda: desk.set_analyst(name, hours))
    console.print(f"{name}: {hours:g} hours a week.")


@team_app.command("leave")
def team_leave(
    name: Annotated[str, typer.Argument(help="The analyst's name.")],
    first: Annotated[str, typer.Option("--from", help="First day of leave, YYYY-MM-DD.")],
    last: Annotated[str, typer.Option("--to", help="Last day of leave, YYYY-MM-DD.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Record leave: no desk hours from --from to --to, inclusive."""
    a, b = _day(first, "--from"), _day(last, "--to")
    assert a is not None and b is not None
    with _desk(workspace, db) as (desk, _):
        run(lambda: desk.add_leave(name, a, b))
    console.print(f"{name}: leave {a} to {b}.")


@team_app.command("remove")
def team_remove(
    name: Annotated[str, typer.Argument(help="The analyst's name.")],
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
) -> None:
    """Take an analyst off the team (with their leave)."""
    with _desk(workspace, db) as (desk, _):
        run(lambda: desk.remove_analyst(name))
    console.print(f"Removed {name}.")


@team_app.command("list")
def team_list(workspace: WorkspaceOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """The team, their hours and leave."""
    with _desk(workspace, db) as (desk, _):
        analysts = team(desk)
    if as_json:
        print_json(
            [
                {
                    "name": a.name,
                    "hours_per_week": a.hours_per_week,
                    "leave": [{"from": x, "to": y} for x, y in a.leave],
                }
                for a in analysts
            ]
        )
        return
    t = Table("Analyst", "Hours a week", "Leave", title="Team")
    for a in analysts:
        t.add_row(
            escape(a.name), f"{a.hours_per_week:g}", ", ".join(f"{x} to {y}" for x, y in a.leave)
        )
    out.print(t)


# --- planning -------------------------------------------------------------------------------


def _team_or_fail(desk: Desk) -> list[Analyst]:
    analysts = team(desk)
    if not analysts:
        fail(
            "The desk has no team to plan with.",
            "Add the analysts first: headway desk team add NAME --hours 37",
        )
    return analysts


def _render_plan(plan: Plan, planned: dict[int, PlannedRequest], title: str) -> None:
    out.print(
        f"[bold]{escape(title)}[/]: {plan.demand_hours:,.0f} h asked, "
        f"{plan.capacity_hours:,.0f} h of capacity in {plan.weeks} weeks from {plan.start}"
    )
    slips = plan.slips()
    t = Table(
        "#",
        "Request",
        "Analyst",
        "Finish",
        "Due",
        "Late by",
        "Priority",
        title=f"What slips: {len(slips)} of {len(plan.scheduled)}",
    )
    for s in slips[:30]:
        late = "not reached" if s.beyond_horizon else f"{s.late_days} days"
        t.add_row(
            str(s.job.id),
            escape(s.job.title),
            escape(s.analyst or ""),
            str(s.finish or ""),
            str(s.job.due or ""),
            late,
            f"{planned[s.job.id].priority.score:.0f}" if s.job.id in planned else "",
        )
    out.print(t)
    if len(slips) > 30:
        out.print(f"... and {len(slips) - 30} more (see --json).")
    base = plan.baselines
    out.print(
        f"Weighted lateness {plan.weighted_lateness:,.0f} (greedy WSJF "
        f"{base['wsjf']:,.0f}, greedy EDD {base['edd']:,.0f}); {plan.method}, "
        f"{plan.seconds:.1f} s."
    )


def _planning(
    desk: Desk, ws: Workspace | None, weights: Path | None, start: date
) -> tuple[list[PlannedRequest], list[Analyst]]:
    analysts = _team_or_fail(desk)
    return planned_requests(desk, start, _weights(ws, weights)), analysts


@desk_app.command("plan")
def desk_plan(
    start: StartOpt = None,
    weeks: WeeksOpt = 26,
    time_limit: TimeLimitOpt = 5.0,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    weights: WeightsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Schedule the open requests on the team's hours; say what slips and by how much."""
    first = _day(start, "--start") or date.today()
    with _desk(workspace, db) as (desk, ws):
        planned, analysts = _planning(desk, ws, weights, first)
        plan = run(lambda: make_plan(jobs(planned), analysts, first, weeks, time_limit))
        scheduled = {s.job.id for s in plan.scheduled if not s.beyond_horizon}
        for p in planned:
            if p.request.status in ("new", "matched") and p.request.id in scheduled:
                desk.update(p.request.id, status="planned")
    if as_json:
        print_json(plan.to_json())
        return
    _render_plan(plan, {p.request.id: p for p in planned}, "Plan")


def _extra_analysts(specs: Sequence[str]) -> list[Analyst]:
    out_: list[Analyst] = []
    for spec in specs:
        name, _, hours = spec.rpartition(":")
        try:
            out_.append(Analyst(name or f"Extra analyst {len(out_) + 1}", float(hours)))
        except ValueError:
            fail(f"'{spec}' is not NAME:HOURS.", "Write e.g. --add-analyst 'Agency analyst:37'.")
    return out_


@desk_app.command("whatif")
def desk_whatif(
    add: Annotated[
        list[str] | None,
        typer.Option(
            "--add",
            help="A request to add, as "
            "'TITLE;HOURS;DUE' (DUE optional, YYYY-MM-DD); repeat for more.",
        ),
    ] = None,
    remove: Annotated[
        list[int] | None,
        typer.Option("--remove", help="A request number to take off; repeat for more."),
    ] = None,
    add_analyst: Annotated[
        list[str] | None,
        typer.Option("--add-analyst", help="Extra capacity as NAME:HOURS a week; repeat for more."),
    ] = None,
    start: StartOpt = None,
    weeks: WeeksOpt = 26,
    time_limit: TimeLimitOpt = 5.0,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    weights: WeightsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changes in what slips if a request is added or removed, or capacity added."""
    first = _day(start, "--start") or date.today()
    with _desk(workspace, db) as (desk, ws):
        planned, analysts = _planning(desk, ws, weights, first)
    base = jobs(planned)
    next_id = max((j.id for j in base), default=0) + 1
    added = [_new_job(spec, next_id + i, first) for i, spec in enumerate(add or [])]
    result = run(
        lambda: whatif(
            base,
            analysts,
            first,
            weeks,
            add=added,
            remove=remove or [],
            extra=_extra_analysts(add_analyst or []),
            time_limit=time_limit,
        )
    )
    if as_json:
        print_json(result.to_json())
        return
    b, a = result.before, result.after
    out.print(
        f"Late requests: {len(b.slips())} -> {len(a.slips())}; weighted lateness "
        f"{b.weighted_lateness:,.0f} -> {a.weighted_lateness:,.0f}"
    )
    for label, items in (
        ("Newly late", result.newly_late),
        ("No longer late", result.no_longer_late),
    ):
        for s in items:
            out.print(f"  {label}: #{s.job.id} {escape(s.job.title)} ({_late_text(s)})")


def _late_text(s: Scheduled) -> str:
    if s.beyond_horizon:
        return "not reached in the horizon"
    return f"{s.late_days} days late" if s.late_days else f"done {s.finish}"


def _new_job(spec: str, job_id: int, today: date) -> Job:
    parts = [p.strip() for p in spec.split(";")]
    try:
        title, hours = parts[0], float(parts[1])
        due = date.fromisoformat(parts[2]) if len(parts) > 2 and parts[2] else None
    except (IndexError, ValueError):
        fail(
            f"'{spec}' is not TITLE;HOURS;DUE.",
            "Write e.g. --add 'Ofsted JTAI data;12;2026-12-18'.",
        )
        raise AssertionError("unreachable") from None
    return Job(job_id, title, hours, weight=Weights().inspection / 10 + 1, due=due, received=today)


@desk_app.command("inspection")
def desk_inspection(
    start: Annotated[str, typer.Option("--start", help="First day of the inspection.")],
    days: Annotated[int, typer.Option("--days", min=1, max=30, help="Working days on site.")] = 10,
    log: Annotated[
        Path | None,
        typer.Option("--log", help="The inspectors' request log to import first (CSV or XLSX)."),
    ] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    weights: WeightsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan an inspection's burst of requests day by day, answered first from existing outputs.

    During the inspection the whole team's desk time goes to the inspectors' requests."""
    from headway.desk.inspection import plan_inspection

    first = _day(start, "--start")
    assert first is not None
    with _desk(workspace, db) as (desk, ws):
        intake = _import_file(desk, log, "inspector", as_json) if log else None
        if intake and not as_json:
            _show_intake(intake, as_json)
        analysts = _team_or_fail(desk)
        result = run(lambda: plan_inspection(desk, analysts, first, days, _weights(ws, weights)))
    if as_json:
        print_json(result.to_json() | {"intake": intake.to_json() if intake else None})
    else:
        result.render(out)


@desk_app.command("brief")
def desk_brief(
    out_file: Annotated[Path, typer.Option("--out", help="brief.pdf or brief.html")],
    start: StartOpt = None,
    weeks: WeeksOpt = 26,
    time_limit: TimeLimitOpt = 5.0,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    weights: WeightsOpt = None,
) -> None:
    """One page for a head of service or director: demand, capacity, slips, decisions."""
    path = write_brief(
        out_file, _day(start, "--start") or date.today(), weeks, time_limit, workspace, db, weights
    )
    console.print(f"Wrote the leader brief to {path}")


def write_brief(
    out_file: Path,
    first: date,
    weeks: int,
    time_limit: float,
    workspace: Path | None,
    db: str | None,
    weights: Path | None,
) -> Path:
    from headway.desk.brief import make_brief

    with _desk(workspace, db) as (desk, ws):
        analysts = _team_or_fail(desk)
        brief = run(
            lambda: make_brief(desk, ws, analysts, first, weeks, _weights(ws, weights), time_limit)
        )
    return run(lambda: brief.write(out_file))
