"""The LA app (`headway serve`): readiness, quality, the desk and changes as GOV.UK pages.

It runs on the analyst's own machine and binds 127.0.0.1 by default: child-level data stays
in the workspace, and the pages show only what the CLI would show the same analyst.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from headway.desk.importing import import_file
from headway.desk.model import COST_OF_DELAY, LEVELS, OPEN_STATUSES, SOURCES, STATUSES
from headway.desk.plan import Analyst, whatif
from headway.desk.planning import jobs, planned_requests
from headway.desk.store import RequestIn
from headway.desk.suggest import suggest
from headway.errors import HeadwayError
from headway.web.site import Site
from headway.web.workspace_views import DOWNLOADS, PLAN_SECONDS, PLAN_WEEKS, WorkspaceViews
from headway.workspace import Workspace

PAGE_SIZE = 50
MAX_UPLOAD = 20 * 1024 * 1024  # a request list is a few hundred rows; 20 MB is generous
NAVIGATION = [
    ("/", "Overview"),
    ("/readiness", "Readiness"),
    ("/quality", "Data quality"),
    ("/desk", "Desk"),
    ("/changes", "Changes"),
    ("/downloads", "Downloads"),
]
STATUS_COLOURS = {"ready": "#00703c", "at risk": "#f47738", "gap": "#d4351c"}


def create_la_app(ws: Workspace) -> FastAPI:
    views = WorkspaceViews(ws)
    site = Site(f"Headway for {ws.la_name}", NAVIGATION)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        views.readiness()  # the first page should not wait for seconds of readiness
        yield
        views.close()

    app = FastAPI(
        title="Headway LA app", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    site.install(app)
    checked = [Depends(site.check_csrf)]

    @app.exception_handler(HeadwayError)
    async def headway_error(request: Request, exc: HeadwayError) -> HTMLResponse:
        return site.page(request, "error.html", "There is a problem", 400, error=exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> HTMLResponse:
        return site.page(
            request, "error.html", "There is a problem", exc.status_code, error=exc.detail
        )

    # --- overview, readiness, quality ----------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        planned, _ = views.queue()
        open_ = [p for p in planned if p.request.status in OPEN_STATUSES]
        return site.page(
            request, "la/overview.html", "Overview", packs=views.readiness(), la=ws,
            open_requests=len(open_), statutory=sum(1 for p in open_ if p.request.statutory),
            colours=STATUS_COLOURS,
        )  # fmt: skip

    @app.get("/readiness", response_class=HTMLResponse)
    def readiness(request: Request) -> HTMLResponse:
        packs = views.readiness()
        return site.page(request, "la/readiness.html", "Readiness", packs=packs)

    @app.get("/readiness/{pack_id}", response_class=HTMLResponse)
    def pack(request: Request, pack_id: str) -> HTMLResponse:
        found = views.pack_readiness(pack_id)
        if found is None:
            raise HTTPException(404, f"There is no pack called '{pack_id}'.")
        return site.page(request, "la/pack.html", found.title, pack=found, colours=STATUS_COLOURS)

    @app.get("/readiness/{pack_id}/{requirement_id}", response_class=HTMLResponse)
    def requirement(request: Request, pack_id: str, requirement_id: str) -> HTMLResponse:
        found = views.pack_readiness(pack_id)
        req = (
            next((r for r in found.requirements if r.id == requirement_id), None) if found else None
        )
        if found is None or req is None:
            raise HTTPException(404, f"There is no requirement '{requirement_id}' in '{pack_id}'.")
        return site.page(request, "la/requirement.html", req.title, pack=found, req=req)

    @app.get("/quality", response_class=HTMLResponse)
    def quality(request: Request) -> HTMLResponse:
        prof = views.quality()
        weak = sorted(
            (i for i in prof.items if i.filled and i.completeness < 0.95),
            key=lambda i: i.completeness,
        )
        return site.page(
            request, "la/quality.html", "Data quality", summary=prof.summary(), weak=weak,
            tables=sorted(prof.table_rows.items()), findings=views.dfe_findings()[:30],
        )  # fmt: skip

    # --- the desk --------------------------------------------------------------------------

    @app.get("/desk", response_class=HTMLResponse)
    def desk(
        request: Request, source: str = "", status: str = "open", page: int = 1
    ) -> HTMLResponse:
        planned, matches = views.queue()
        if source:
            planned = [p for p in planned if p.request.source == source]
        if status == "open":
            planned = [p for p in planned if p.request.status in OPEN_STATUSES]
        elif status in STATUSES:
            planned = [p for p in planned if p.request.status == status]
        pages = max(1, -(-len(planned) // PAGE_SIZE))
        page = min(max(page, 1), pages)
        shown = planned[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        template = "la/desk_rows.html" if request.headers.get("hx-request") else "la/desk.html"
        return site.page(
            request, template, "Desk", rows=shown, matches=matches, total=len(planned),
            page=page, pages=pages, source=source, status=status, sources=SOURCES,
            statuses=STATUSES,
        )  # fmt: skip

    @app.get("/desk/requests/{request_id}", response_class=HTMLResponse)
    def request_page(request: Request, request_id: int) -> HTMLResponse:
        planned, matches = views.queue()
        found = next((p for p in planned if p.request.id == request_id), None)
        if found is None:
            raise HTTPException(404, f"There is no request {request_id} on the desk.")
        return site.page(
            request, "la/request.html", found.request.title, p=found,
            matches=matches.get(request_id, []),
        )  # fmt: skip

    @app.get("/desk/add", response_class=HTMLResponse)
    def add_form(request: Request) -> HTMLResponse:
        return site.page(request, "la/add.html", "Add a request", **_add_choices(), values={})

    @app.post("/desk/add", dependencies=checked)
    def add(
        request: Request,
        title: Annotated[str, Form()] = "",
        description: Annotated[str, Form()] = "",
        source: Annotated[str, Form()] = "other",
        requester: Annotated[str, Form()] = "",
        requester_level: Annotated[str, Form()] = "team",
        due: Annotated[str, Form()] = "",
        effort_hours: Annotated[str, Form()] = "",
        cost_of_delay: Annotated[str, Form()] = "low",
        statutory: Annotated[bool, Form()] = False,
    ) -> Response:
        values = {
            "title": title.strip(), "description": description.strip(), "source": source,
            "requester": requester.strip(), "requester_level": requester_level, "due": due,
            "effort_hours": effort_hours, "cost_of_delay": cost_of_delay, "statutory": statutory,
        }  # fmt: skip
        errors = _add_errors(values)
        if errors:
            return site.page(
                request, "la/add.html", "Add a request", 400, **_add_choices(),
                values=values, errors=errors,
            )  # fmt: skip
        item = RequestIn(
            title=title.strip(), description=description.strip(), source=source,
            requester=requester.strip(), requester_level=requester_level,
            received=date.today(), due=date.fromisoformat(due) if due else None,
            effort_hours=float(effort_hours) if effort_hours else None,
            cost_of_delay=cost_of_delay, statutory=statutory,
        )  # fmt: skip
        result = views.desk.add([item], "web form")
        added = [views.desk.get(i) for i in result.added]
        suggest(views.desk, views.packs, added)
        target = f"/desk/requests/{result.added[0]}" if result.added else "/desk"
        return RedirectResponse(target, status_code=303)

    @app.get("/desk/import", response_class=HTMLResponse)
    def import_form(request: Request) -> HTMLResponse:
        return site.page(request, "la/import.html", "Import a request list", sources=SOURCES)

    @app.post("/desk/import", dependencies=checked)
    async def import_list(
        request: Request,
        file: Annotated[UploadFile, File()],
        source: Annotated[str, Form()] = "other",
    ) -> HTMLResponse:
        name = Path(file.filename or "").name
        errors = _import_errors(name, source)
        data = await file.read(MAX_UPLOAD + 1) if not errors else b""
        if not errors and len(data) > MAX_UPLOAD:
            errors["file"] = "The file is larger than 20 MB. Split it, or import it with the CLI."
        if not errors and not data:
            errors["file"] = "The selected file is empty."
        if errors:
            return site.page(
                request, "la/import.html", "Import a request list", 400, sources=SOURCES,
                errors=errors, source=source,
            )  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            try:
                imported = import_file(views.desk, path, source, views.packs)
            except HeadwayError as exc:
                return site.page(
                    request, "la/import.html", "Import a request list", 400, sources=SOURCES,
                    errors={"file": f"{exc.message} {exc.hint}".strip()}, source=source,
                )  # fmt: skip
        planned, matches = views.queue()
        plan = views.plan()
        finish = {s.job.id: s for s in plan.scheduled} if plan else {}
        added = [p for p in planned if p.request.id in set(imported.result.added)]
        return site.page(
            request, "la/imported.html", "Request list imported", result=imported.result,
            ignored=imported.ignored_columns, added=added, matches=matches, finish=finish,
        )  # fmt: skip

    @app.get("/desk/plan", response_class=HTMLResponse)
    def plan(request: Request) -> HTMLResponse:
        found = views.plan()
        planned, _ = views.queue()
        return site.page(
            request, "la/plan.html", "The plan", plan=found, team=views.team(),
            priority={p.request.id: p.priority.score for p in planned},
        )  # fmt: skip

    @app.get("/desk/whatif", response_class=HTMLResponse)
    def whatif_form(request: Request) -> HTMLResponse:
        return site.page(request, "la/whatif.html", "What if", result=None, values={})

    @app.post("/desk/whatif", dependencies=checked)
    def whatif_run(
        request: Request,
        hours: Annotated[str, Form()] = "",
        remove: Annotated[str, Form()] = "",
    ) -> HTMLResponse:
        values = {"hours": hours, "remove": remove}
        errors: dict[str, str] = {}
        extra = _number(hours, "hours", errors, "Enter the extra analyst's hours a week, e.g. 18.5")
        removed = [int(x) for x in remove.replace(",", " ").split() if x.isdigit()]
        if remove.strip() and not removed:
            errors["remove"] = "Enter request numbers separated by spaces, e.g. 41 42"
        team_ = views.team()
        if not team_:
            errors["hours"] = "The desk has no team yet: add analysts with `headway desk team add`."
        if errors:
            return site.page(
                request, "la/whatif.html", "What if", 400, result=None, values=values,
                errors=errors,
            )  # fmt: skip
        extra_team = [Analyst("Extra analyst", extra)] if extra else []
        planned = planned_requests(views.desk, date.today(), views.weights())
        result = whatif(
            jobs(planned), team_, date.today(), PLAN_WEEKS, remove=removed, extra=extra_team,
            time_limit=PLAN_SECONDS,
        )  # fmt: skip
        return site.page(request, "la/whatif.html", "What if", result=result, values=values)

    @app.get("/desk/brief", response_class=HTMLResponse)
    def brief_page(request: Request) -> HTMLResponse:
        return site.page(request, "la/brief.html", "Leader brief", has_team=bool(views.team()))

    @app.get("/desk/brief.{kind}")
    def brief_download(kind: str) -> FileResponse:
        if kind not in ("pdf", "html"):
            raise HTTPException(404, "The brief comes as .pdf or .html.")
        made = views.brief()
        if made is None:
            raise HTTPException(409, "The desk has no team to plan with: add analysts first.")
        path = made.write(views.outputs_folder() / f"desk_brief.{kind}")
        media = "application/pdf" if kind == "pdf" else "text/html"
        return FileResponse(path, media_type=media, filename=f"leader-brief-{date.today()}.{kind}")

    # --- changes and downloads -----------------------------------------------------------

    @app.get("/changes", response_class=HTMLResponse)
    def changes(request: Request) -> HTMLResponse:
        from headway.web.changes import pack_pairs, standard_pairs

        return site.page(
            request, "la/changes.html", "Changes", packs=pack_pairs(views.packs),
            standards=standard_pairs(),
        )  # fmt: skip

    @app.get("/changes/packs/{old}/{new}", response_class=HTMLResponse)
    def pack_change(request: Request, old: str, new: str) -> HTMLResponse:
        from headway.web.changes import pack_change as change

        result, impact = change(ws, views.packs, old, new)
        return site.page(
            request, "la/pack_change.html", f"{old} to {new}", diff=result, impact=impact
        )

    @app.get("/changes/standards/{standard}/{old}/{new}", response_class=HTMLResponse)
    def standard_change(request: Request, standard: str, old: str, new: str) -> HTMLResponse:
        from headway.web.changes import standard_change as change

        result, impact = change(ws, standard, old, new)
        return site.page(
            request, "la/standard_change.html", f"{standard} {old} to {new}", diff=result,
            impact=impact,
        )  # fmt: skip

    @app.get("/downloads", response_class=HTMLResponse)
    def downloads(request: Request) -> HTMLResponse:
        return site.page(request, "la/downloads.html", "Downloads")

    @app.get("/downloads/{name}")
    def download(name: str) -> FileResponse:
        if name not in DOWNLOADS:
            raise HTTPException(404, f"There is no download called '{name}'.")
        path = views.download(name)
        return FileResponse(path, media_type=DOWNLOADS[name], filename=path.name)

    @app.get("/accessibility", response_class=HTMLResponse)
    def accessibility(request: Request) -> HTMLResponse:
        return site.page(request, "accessibility.html", "Accessibility")

    return app


def _add_choices() -> dict[str, Any]:
    return {"sources": SOURCES, "levels": LEVELS, "costs": list(COST_OF_DELAY)}


def _number(text: str, field: str, errors: dict[str, str], message: str, most: float = 80) -> float:
    """A positive number up to `most` (a week's hours by default), or an error for `field`."""
    if not text.strip():
        return 0.0
    try:
        value = float(text)
    except ValueError:
        errors[field] = message
        return 0.0
    if not 0 < value <= most:
        errors[field] = message
    return value


def _add_errors(values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = "Enter what is being asked for"
    elif len(values["title"]) > 300:
        errors["title"] = "The request must be 300 characters or fewer"
    if values["source"] not in SOURCES:
        errors["source"] = "Select where the request came from"
    if values["requester_level"] not in LEVELS:
        errors["requester_level"] = "Select who asked"
    if values["cost_of_delay"] not in COST_OF_DELAY:
        errors["cost_of_delay"] = "Select the cost of delay"
    if values["due"]:
        try:
            date.fromisoformat(values["due"])
        except ValueError:
            errors["due"] = "Enter the due date as a date, for example 2026-12-18"
    _number(
        values["effort_hours"], "effort_hours", errors,
        "Enter the hours as a number between 0 and 2,000, e.g. 6", most=2000,
    )  # fmt: skip
    return errors


def _import_errors(name: str, source: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["file"] = "Select a request list (CSV or XLSX)"
    elif Path(name).suffix.lower() not in (".csv", ".xlsx", ".json"):
        errors["file"] = "The selected file must be a CSV, an XLSX or a diff's JSON"
    if source not in SOURCES:
        errors["source"] = "Select where the requests came from"
    return errors
