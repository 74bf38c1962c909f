"""`headway hub`, `headway submit` and `headway deliberate`: the Centre's hub and an LA's
dealings with it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.markup import escape
from rich.table import Table

from headway.cli_common import (
    JsonOpt,
    WorkspaceOpt,
    console,
    fail,
    open_workspace,
    out,
    print_json,
    run,
)
from headway.errors import HeadwayError
from headway.hub.model import ASK_STATUSES, ROLES
from headway.hub.store import Hub, hub_url
from headway.ingest.text_files import open_text, sniff_delimiter

hub_app = typer.Typer(help="The Centre's hub: tokens, the API server, evidence, the asks ledger.")
token_app = typer.Typer(help="Hub tokens: made once, stored hashed.")
asks_app = typer.Typer(help="The asks ledger: what the sector asked national government.")
deliberate_app = typer.Typer(help="Deliberation: statements, votes, groups and consensus.")
hub_app.add_typer(token_app, name="token")
hub_app.add_typer(asks_app, name="asks")

DbOpt = Annotated[str | None, typer.Option("--db", help="The Centre's database URL.")]
CentreOpt = Annotated[
    Path | None,
    typer.Option(
        "--centre", help="The Centre's folder (default: $HEADWAY_CENTRE, else ./headway-centre)."
    ),
]
HubOpt = Annotated[
    str, typer.Option("--hub", help="The hub's address, e.g. http://127.0.0.1:8100.")
]
TokenOpt = Annotated[
    str,
    typer.Option(
        "--token", envvar="HEADWAY_HUB_TOKEN", help="Your hub token ($HEADWAY_HUB_TOKEN)."
    ),
]


@contextmanager
def _hub(db: str | None, centre: Path | None) -> Iterator[Hub]:
    hub = run(lambda: Hub.open(hub_url(db, centre)))
    try:
        yield hub
    finally:
        hub.close()


@hub_app.command("serve")
def hub_serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8100,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (one per core).")] = 1,
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Serve the hub: its pages at / (sign in with a token) and its API (OpenAPI at /docs)."""
    import os
    import secrets

    import uvicorn

    from headway.hub.app import DB_ENV
    from headway.lab.store import Lab
    from headway.web.hub_pages import SECRET_ENV
    from headway.web.site import assets_ready

    url = hub_url(db, centre)
    run(assets_ready)
    # migrate once, before the workers start: the hub's tables and the lab's beside them
    run(lambda: Hub.open(url).close())
    run(lambda: Lab.open(url).close())
    os.environ[DB_ENV] = url
    os.environ.setdefault(SECRET_ENV, secrets.token_hex(32))  # one session key, every worker
    console.print(
        f"Hub on http://{host}:{port} (pages: sign in with a token; API: http://{host}:{port}/docs)"
    )
    uvicorn.run(
        "headway.web.hub_pages:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,  # the hub's own audit records every call
        # longer than a reverse proxy's idle timeout (nginx: 60 s), so the proxy closes
        # first and the connections it keeps (and each worker's known tokens) stay in use
        timeout_keep_alive=75,
    )


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    la: Annotated[str | None, typer.Option("--la", help="The LA, for LA roles.")] = None,
    label: Annotated[str, typer.Option(help="Who it is for.")] = "",
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Make a token; it is printed once and only its hash is kept."""
    with _hub(db, centre) as hub:
        token = run(lambda: hub.create_token(role, la, label))
    out.print(token, highlight=False)
    console.print("Keep it safe: it cannot be shown again.")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (the part after hwt_).")],
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Revoke a token."""
    with _hub(db, centre) as hub:
        run(lambda: hub.revoke(token_id))
    console.print(f"Revoked {token_id}.")


@hub_app.command("las")
def hub_las(
    file: Annotated[Path, typer.Argument(help="CSV: la_code, name, region.")],
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Register LAs and their regions (for regional breakdowns)."""
    if not file.is_file():
        fail(f"There is no file {file}.")
    with open_text(file) as f:
        delimiter = sniff_delimiter(f.readline())
        f.seek(0)
        reader = csv.DictReader(f, delimiter=delimiter)
        if not {"la_code", "name", "region"} <= set(reader.fieldnames or []):
            fail(f"{file.name} needs the columns la_code, name and region.")
        rows = [(r["la_code"].strip(), r["name"].strip(), r["region"].strip()) for r in reader]
    with _hub(db, centre) as hub:
        hub.add_las(rows)
    console.print(f"{len(rows)} LAs registered.")


@hub_app.command("evidence")
def hub_evidence(
    pack: Annotated[str, typer.Argument(help="The pack id.")],
    html: Annotated[Path | None, typer.Option("--html", help="Also write an HTML page.")] = None,
    db: DbOpt = None,
    centre: CentreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Disclosure-controlled sector evidence for a pack: readiness, effort, regions, ask once,
    and the Star Chamber burden assessment."""
    from headway.hub.evidence import build_evidence

    with _hub(db, centre) as hub:
        evidence = run(lambda: build_evidence(hub, pack))
    if html is not None:
        from headway.hub.paper import write_evidence_html

        write_evidence_html(evidence, html)
        console.print(f"Wrote {html}")
    if as_json:
        print_json(evidence.to_json())
        return
    t = Table(
        "Requirement",
        "Ready",
        "At risk",
        "Gap",
        "Hours per LA (95% interval)",
        "Also asked by",
        title=f"{evidence.title}: {evidence.las} LAs",
    )
    for r in evidence.requirements:
        interval = (
            r.effort_interval
            if isinstance(r.effort_interval, str)
            else (f"{r.effort_mean} ({r.effort_interval[0]} to {r.effort_interval[1]})")
        )
        t.add_row(
            escape(r.title),
            *(str(r.counts[s]) for s in ("ready", "at risk", "gap")),
            interval,
            escape(", ".join(a["pack"] for a in r.also_asked_by)),
        )
    out.print(t)


@asks_app.command("list")
def asks_list(db: DbOpt = None, centre: CentreOpt = None, as_json: JsonOpt = False) -> None:
    """Every ask, its evidence, status and the national response."""
    from headway.hub.app import ask_json

    with _hub(db, centre) as hub:
        rows = [ask_json(a) for a in hub.asks()]
    if as_json:
        print_json(rows)
        return
    t = Table("#", "Ask", "Evidence", "Status", "Response", title="The asks ledger")
    for a in rows:
        t.add_row(
            str(a["id"]), escape(a["title"]), escape(a["pack"]), a["status"], escape(a["response"])
        )
    out.print(t)


@asks_app.command("add")
def asks_add(
    title: Annotated[str, typer.Argument(help="The ask, in a line.")],
    ask: Annotated[str, typer.Option(help="The ask in full.")],
    pack: Annotated[str, typer.Option(help="The pack whose evidence supports it.")] = "",
    topic: Annotated[str, typer.Option(help="The deliberation behind it.")] = "",
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Add an ask to national government to the ledger."""
    with _hub(db, centre) as hub:
        row = hub.add_ask(title, ask, pack, topic)
    console.print(f"Ask {row.id} added (drafted).")


@asks_app.command("update")
def asks_update(
    ask_id: Annotated[int, typer.Argument(help="The ask's number.")],
    status: Annotated[str, typer.Option(help=f"One of: {', '.join(ASK_STATUSES)}.")],
    response: Annotated[str, typer.Option(help="The national response.")] = "",
    on: Annotated[str | None, typer.Option(help="When, YYYY-MM-DD (default today).")] = None,
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """Record an ask's progress and the national response."""
    day = None
    if on:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            fail(f"'{on}' is not a date.", "Write it as YYYY-MM-DD.")
    with _hub(db, centre) as hub:
        row = run(lambda: hub.update_ask(ask_id, status, response, day))
    console.print(f"Ask {row.id}: {row.status}.")


# --- an LA's side ---------------------------------------------------------------------------


def submit(
    hub: Annotated[str | None, typer.Option("--hub", help="The hub's address.")] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="HEADWAY_HUB_TOKEN", help="Your submitter token."),
    ] = None,
    period: Annotated[
        str | None, typer.Option(help="The quarter, e.g. 2026Q3 (default: this one).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would leave; send nothing.")
    ] = False,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send the hub this LA's aggregate, disclosure-controlled submission for a quarter."""
    from headway.desk.store import Desk, desk_url
    from headway.hub.submit import build, send, to_json
    from headway.packs import library

    ws = open_workspace(workspace)
    from headway.periods import label, parse

    today = date.today()
    quarter = (
        label(*run(lambda: parse(period)))
        if period
        else label(today.year, (today.month - 1) // 3 + 1)
    )
    desk = Desk.open(desk_url(ws.path, None)) if (ws.path / "desk.sqlite").exists() else None
    try:
        adopted = set(desk.adopted()) if desk else set()
        packs = [p for p in run(library) if not adopted or p.id in adopted]
        payload = run(lambda: build(ws, desk, packs, quarter))
    finally:
        if desk:
            desk.close()
    if dry_run:
        print_json(to_json(payload)) if as_json else out.print_json(json.dumps(to_json(payload)))
        console.print("Dry run: nothing was sent.")
        return
    if not hub or not token:
        fail(
            "Sending needs --hub URL and --token (or $HEADWAY_HUB_TOKEN).",
            "Or use --dry-run to see what would leave.",
        )
        return
    result = run(lambda: send(hub, token, payload, ws))
    if as_json:
        print_json(result)
        return
    console.print(
        f"Submitted {ws.la_code} {quarter}: version {result['version']} ({result['outcome']})."
    )


def _api(method: str, hub: str, token: str, path: str, body: dict[str, Any] | None = None) -> Any:
    try:
        response = httpx.request(
            method,
            hub.rstrip("/") + path,
            json=body,
            timeout=30,
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as exc:
        raise HeadwayError(f"Could not reach the hub at {hub} ({exc}).", "Check --hub.") from None
    if response.status_code >= 400:
        detail = response.json().get("detail") if response.content else ""
        raise HeadwayError(f"The hub said {response.status_code}: {detail}", "")
    return response.json()


@deliberate_app.command("statements")
def deliberate_statements(
    topic: Annotated[str, typer.Argument(help="The deliberation's topic, e.g. a pack id.")],
    hub: HubOpt,
    token: TokenOpt,
    as_json: JsonOpt = False,
) -> None:
    """The statements to vote on."""
    rows = run(lambda: _api("GET", hub, token, f"/api/deliberations/{topic}"))
    if as_json:
        print_json(rows)
        return
    for s in rows:
        out.print(f"{s['id']:>4}  {escape(s['text'])}")


@deliberate_app.command("add")
def deliberate_add(
    topic: Annotated[str, typer.Argument(help="The topic.")],
    text: Annotated[str, typer.Argument(help="The statement: short, one idea.")],
    hub: HubOpt,
    token: TokenOpt,
) -> None:
    """Add a statement for others to vote on."""
    row = run(
        lambda: _api("POST", hub, token, f"/api/deliberations/{topic}/statements", {"text": text})
    )
    console.print(f"Statement {row['id']} added.")


@deliberate_app.command("vote")
def deliberate_vote(
    topic: Annotated[str, typer.Argument(help="The topic.")],
    statement: Annotated[int, typer.Argument(help="The statement's number.")],
    choice: Annotated[str, typer.Argument(help="agree, disagree or pass.")],
    hub: HubOpt,
    token: TokenOpt,
) -> None:
    """Vote on a statement."""
    values = {"agree": 1, "disagree": -1, "pass": 0}
    if choice not in values:
        fail(f"'{choice}' is not a vote.", "Vote agree, disagree or pass.")
    run(
        lambda: _api(
            "POST",
            hub,
            token,
            f"/api/deliberations/{topic}/votes",
            {"statement": statement, "value": values[choice]},
        )
    )
    console.print(f"Voted {choice} on statement {statement}.")


@deliberate_app.command("analysis")
def deliberate_analysis(
    topic: Annotated[str, typer.Argument(help="The topic.")],
    hub: HubOpt,
    token: TokenOpt,
    as_json: JsonOpt = False,
) -> None:
    """Opinion groups, what distinguishes each, and what every group agrees on (hub analysts)."""
    result = run(lambda: _api("GET", hub, token, f"/api/deliberations/{topic}/analysis"))
    if as_json:
        print_json(result)
        return
    out.print_json(json.dumps(result))


@deliberate_app.command("paper")
def deliberate_paper(
    topic: Annotated[str, typer.Argument(help="The topic.")],
    pack: Annotated[str, typer.Option(help="The pack whose evidence goes with it.")],
    out_file: Annotated[Path, typer.Option("--out", help="paper.html or paper.pdf")],
    db: DbOpt = None,
    centre: CentreOpt = None,
) -> None:
    """A position paper: the consensus of the deliberation with the sector's evidence."""
    from headway.hub.deliberate import analyse_topic
    from headway.hub.evidence import build_evidence
    from headway.hub.paper import write_paper

    with _hub(db, centre) as hub:
        analysis = run(lambda: analyse_topic(hub, topic))
        evidence = run(lambda: build_evidence(hub, pack))
        asks = [a for a in hub.asks() if a.topic == topic or a.pack == pack]
    path = run(lambda: write_paper(topic, analysis, evidence, asks, out_file))
    console.print(f"Wrote {path}")
