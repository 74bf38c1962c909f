"""The hub's pages (`headway hub serve`): sign-in by token, submissions, evidence and the
burden assessment, deliberation, the asks ledger and the lab's trials, as GOV.UK pages.

A FastAPI app of its own that the hub's API app mounts at "/", after its /api routes. The
pages show each role exactly what the API lets the same token see, and no more:

| page | la submitter | la viewer | hub analyst | admin |
|---|---|---|---|---|
| / (dashboard) | own LA | own LA | all | all, and the latest audit |
| /submissions | own LA, every version | own LA, every version | all, current | all, current |
| /submissions/{id} (what the LA sent) | own LA | own LA | - | - |
| /evidence, /evidence/{pack} | yes | yes | yes | yes |
| /deliberation/{topic}: statements | yes | yes | yes | yes |
| POST .../votes | yes | yes | - | - |
| POST .../statements | yes | yes | yes | - |
| .../{topic}: groups and consensus | - | - | yes | yes |
| /asks | yes | yes | yes | yes |
| /asks/new, /asks/{id} (add, update) | - | - | yes | yes |
| /trials, /trials/{id} | - | - | yes | yes |

The lab's trials are the Centre's own work, so they are for Centre roles; an LA reads a
trial's findings in the position papers and reports the Centre publishes.

Signing in verifies the token once (argon2, as the API does) and keeps only its public id,
role and LA in the signed session cookie, never the secret; every later page checks that
the token has not been revoked since. Every page a signed-in user opens, and every form
anyone posts, is written to the hub's audit ("web GET /evidence/...").
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import desc, select
from starlette.exceptions import HTTPException

from headway.errors import HeadwayError
from headway.hub.model import (
    ANALYSTS,
    ASK_EDITORS,
    ASK_STATUSES,
    CENTRE_ROLES,
    LA_ROLES,
    STATEMENT_WRITERS,
    VOTERS,
    Audit,
    LocalAuthority,
    Statement,
    Token,
)
from headway.hub.store import Caller, Hub
from headway.web.site import Site

# The API's rules (headway.hub.app): who may do what in a deliberation.
TRIAL_READERS = CENTRE_ROLES  # the lab's trials are the Centre's own work
SESSION_KEY = "hub"
SESSION_COOKIE = "headway_hub_session"  # not the LA app's: both may run on one host
VOTES = {"agree": 1, "disagree": -1, "pass": 0}
VOTE_NAMES = {v: k for k, v in VOTES.items()}
SUBMISSION_PERIODS_SHOWN = 4
STATUS_COLOURS = {"ready": "#00703c", "at risk": "#f47738", "gap": "#d4351c"}
GROUP_COLOUR = "#1d70b8"
ASK_TAGS = {
    "drafted": "grey",
    "raised": "blue",
    "answered": "turquoise",
    "accepted": "green",
    "rejected": "red",
    "withdrawn": "grey",
}
AUDIT_SHOWN = 15


@dataclass(frozen=True)
class Who:
    """The signed-in user, as kept in the session: the token's public id, never its secret."""

    token_id: str
    role: str
    la_code: str | None
    la_name: str

    @property
    def caller(self) -> Caller:
        return Caller(self.token_id, self.role, self.la_code)

    @property
    def is_la(self) -> bool:
        return self.role in LA_ROLES

    @property
    def is_centre(self) -> bool:
        return self.role in CENTRE_ROLES


class SignInNeeded(Exception):
    def __init__(self, path: str) -> None:
        self.path = path


class Forbidden(Exception):
    def __init__(self, who: Who, what: str) -> None:
        self.who = who
        self.what = what


def signed_in(request: Request) -> Who:
    """The signed-in user, or a redirect to sign in; a revoked token signs them out."""
    kept = request.session.get(SESSION_KEY)
    # after signing in, come back to this page (a form's target cannot be gone back to)
    back = request.url.path if request.method == "GET" else "/"
    try:
        who = Who(**(kept if isinstance(kept, dict) else {}))
    except TypeError:  # no session, or one this version of the pages did not write
        raise SignInNeeded(back) from None
    hub: Hub = request.app.state.hub
    with hub.session() as s:
        row = s.get(Token, who.token_id)
        active = row is not None and row.revoked is None
    if not active:
        request.session.pop(SESSION_KEY, None)
        raise SignInNeeded(back)
    request.state.who = who
    return who


User = Annotated[Who, Depends(signed_in)]


def _shown_as(request: Request) -> Who | None:
    """Who the session says is signed in, for the navigation of pages that do not need
    anyone signed in (accessibility, errors); never for deciding what a page shows."""
    kept = request.session.get(SESSION_KEY)
    try:
        return Who(**kept) if isinstance(kept, dict) else None
    except TypeError:
        return None


def _navigation(who: Who | None) -> list[tuple[str, str]]:
    if who is None:
        return [("/sign-in", "Sign in")]
    items = [
        ("/", "Dashboard"),
        ("/submissions", "Submissions"),
        ("/evidence", "Evidence"),
        ("/deliberation", "Deliberation"),
        ("/asks", "Asks"),
    ]
    if who.role in TRIAL_READERS:
        items.append(("/trials", "Trials"))
    return [*items, ("/sign-out", "Sign out")]


def _local_path(target: str) -> str:
    """Where to go after signing in: a path on this site only (never //host or a URL)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


class PageAudit:
    """Pure ASGI middleware: write each signed-in page view, and every form posted, to the
    hub's audit once the answer's status is known (the API audits its own calls)."""

    def __init__(self, app: Callable[..., Any], hub: Hub) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/assets/"):
            await self.app(scope, receive, send)
            return
        status = 500

        async def sent(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, sent)
        who: Who | None = scope.get("state", {}).get("who")
        method = scope["method"]
        if who is None and method == "GET":
            return
        action = "refused" if status >= 400 else "read" if method == "GET" else "write"
        caller = who.caller if who else None
        target = f"web {method} {scope['path']}"
        await run_in_threadpool(self.hub.record, caller, action, target, status)


class TrialReports:
    """The lab's trials on the Centre's database, opened when first needed, with each
    trial's estimate kept until its outcomes or audit change."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lab: Any = None
        self._lock = threading.Lock()
        self._cache: dict[int, tuple[tuple[int, int], dict[str, Any]]] = {}

    def lab(self) -> Any:
        from headway.lab.store import Lab

        with self._lock:
            if self._lab is None:
                self._lab = Lab.open(self.url)
            return self._lab

    def trials(self) -> list[dict[str, Any]]:
        lab = self.lab()
        approaches = {a.id: a.name for a in lab.approaches()}
        return [
            {
                "id": t.id,
                "name": t.name,
                "approach": approaches.get(t.approach_id, ""),
                "design": t.design,
                "periods": f"{t.first_period} to {t.last_period}",
                "outcome": t.primary_outcome.replace("_", " "),
                "las": len(lab.participants(t)),
                "outcomes": lab.outcomes_loaded(t),
            }
            for t in lab.trials()
        ]

    def find(self, trial_id: int) -> Any:
        trial = next((t for t in self.lab().trials() if t.id == trial_id), None)
        if trial is None:
            raise HTTPException(404, f"There is no trial {trial_id}.")
        return trial

    def report(self, trial_id: int) -> dict[str, Any]:
        """What the trial report shows, from the lab's own estimate and verdict."""
        from headway import periods
        from headway.lab.report import _event_study_chart, judge
        from headway.lab.results import estimate_trial

        lab = self.lab()
        trial = self.find(trial_id)
        key = (lab.outcomes_loaded(trial), len(lab.audit(trial)))
        cached = self._cache.get(trial.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        outcome = trial.primary_outcome.replace("_", " ")
        base = {
            "trial": trial,
            "approach": lab.approach(trial.approach_id).name,
            "outcome": outcome,
            "las": len(lab.participants(trial)),
            "randomised": trial.design == "stepped wedge",
        }
        if not key[0]:
            return {**base, "estimate": None}
        e = estimate_trial(lab, trial)
        labels = {
            i + 1: q for i, q in enumerate(periods.between(trial.first_period, trial.last_period))
        }
        effects = {t.key: t for t in e.group.terms}
        dp = _decimals(e.simple.overall.se)
        made = {
            **base,
            "estimate": e,
            "verdict": judge(
                e, outcome, randomised=base["randomised"], higher_is_better=trial.higher_is_better
            ),
            "chart": _event_study_chart(e.dynamic),
            "waves": [
                {
                    "wave": "Never supported" if c.first_treated_period == 0
                    else labels.get(c.first_treated_period, f"period {c.first_treated_period}"),
                    "las": c.las,
                    "role": c.role,
                    "effect": effects.get(c.first_treated_period),
                }
                for c in e.cohorts
            ],
            "overall": [(a.title, a.overall) for a in e.aggregations.values()],
            "calendar": [(labels.get(t.key or 0, f"period {t.key}"), t) for t in e.calendar.terms],
            "num": lambda x: "" if x is None or not math.isfinite(x) else f"{x:.{dp}f}",
        }  # fmt: skip
        self._cache[trial.id] = (key, made)
        return made

    def download(self, trial_id: int) -> tuple[bytes, str]:
        """The lab's own self-contained report, as `headway lab report` writes it."""
        from headway.lab.results import write_trial_report

        trial = self.find(trial_id)
        with tempfile.TemporaryDirectory() as tmp:
            path = write_trial_report(self.lab(), trial.name, Path(tmp) / "report.html")
            return path.read_bytes(), trial.name


def _decimals(se: float) -> int:
    """As the lab's report: decimals that show a figure to about a tenth of its SE."""
    if not math.isfinite(se) or se <= 0:
        return 2
    return min(4, max(0, 1 - math.floor(math.log10(se))))


def create_hub_pages(hub: Hub, lab_url: str | None = None, secret: bytes | None = None) -> FastAPI:
    """The hub's pages on `hub`. `lab_url`: the lab's database (default: the hub's own, the
    Centre's database). `secret` signs sessions and CSRF tokens; give the same one to every
    worker process serving the hub (default: a new one, so a restart signs everyone out)."""
    site = Site("Headway hub", _navigation(None), SESSION_COOKIE, secret)
    trials = TrialReports(lab_url or hub.engine.url.render_as_string(hide_password=False))
    analyses: dict[str, tuple[str, Any]] = {}

    app = FastAPI(title="Headway hub pages", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.hub = hub
    site.install(app)
    app.add_middleware(PageAudit, hub=hub)
    checked = [Depends(site.check_csrf)]

    def render(
        request: Request, template: str, title: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        who: Who | None = getattr(request.state, "who", None) or _shown_as(request)
        path = request.url.path
        nav = [
            {"href": href, "text": text,
             "active": path == "/" if href == "/" else path == href or path.startswith(href + "/")}
            for href, text in _navigation(who)
        ]  # fmt: skip
        return site.page(request, template, title, status_code, who=who, hub_navigation=nav,
                         **context)  # fmt: skip

    # --- errors ------------------------------------------------------------------------------

    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(_: Request, exc: SignInNeeded) -> Response:
        target = "/sign-in" if exc.path == "/" else f"/sign-in?next={quote(exc.path)}"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> HTMLResponse:
        return render(
            request, "hub/error.html", "You cannot see this page", 403,
            error=f"A {exc.who.role} cannot {exc.what}.",
            hint="If you need to, ask the Centre of Excellence for a token with another role.",
        )  # fmt: skip

    @app.exception_handler(HeadwayError)
    async def headway_error(request: Request, exc: HeadwayError) -> HTMLResponse:
        status = 404 if exc.message.startswith("No ") else 400
        title = "Page not found" if status == 404 else "There is a problem"
        return render(request, "hub/error.html", title, status, error=exc.message, hint=exc.hint)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):  # an API path the API does not have
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        title = {404: "Page not found", 403: "You cannot do this"}.get(
            exc.status_code, "There is a problem"
        )
        detail = "There is no page here." if exc.detail == "Not Found" else exc.detail
        return render(request, "hub/error.html", title, exc.status_code, error=detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, _: RequestValidationError) -> HTMLResponse:
        return render(request, "hub/error.html", "Page not found", 404,
                      error="There is no page here.")  # fmt: skip

    # --- roles -------------------------------------------------------------------------------

    def allow(who: Who, roles: tuple[str, ...], what: str) -> None:
        if who.role not in roles:
            raise Forbidden(who, what)

    # --- signing in and out ------------------------------------------------------------------

    @app.get("/sign-in", response_class=HTMLResponse)
    def sign_in_form(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "hub/sign_in.html", "Sign in", next=_local_path(next))

    @app.post("/sign-in", dependencies=checked)
    def sign_in(
        request: Request,
        token: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        token = token.strip()
        caller = hub.caller(token) if token else None
        if caller is None:
            message = (
                "Enter your hub token" if not token
                else "The token is not right, or it has been revoked: check it and try again"
            )  # fmt: skip
            return render(request, "hub/sign_in.html", "Sign in", 400, next=_local_path(next),
                          errors={"token": message})  # fmt: skip
        la_name = ""
        if caller.la_code:
            with hub.session() as s:
                la = s.get(LocalAuthority, caller.la_code)
                la_name = la.name if la else ""
        who = Who(caller.token_id, caller.role, caller.la_code, la_name)
        request.session.clear()  # a new session: nothing from before signing in carries over
        request.session["id"] = secrets.token_urlsafe(18)
        request.session[SESSION_KEY] = asdict(who)
        request.state.who = who
        return RedirectResponse(_local_path(next), status_code=303)

    @app.get("/sign-out", response_class=HTMLResponse)
    def sign_out_form(request: Request, who: User) -> HTMLResponse:
        return render(request, "hub/sign_out.html", "Sign out")

    @app.post("/sign-out", dependencies=checked)
    def sign_out(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/sign-in", status_code=303)

    @app.get("/accessibility", response_class=HTMLResponse)
    def accessibility(request: Request) -> HTMLResponse:
        return render(request, "hub/accessibility.html", "Accessibility")

    # --- dashboard -----------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, who: User) -> HTMLResponse:
        topics = _topics(hub, who)
        asks = Counter(a.status for a in hub.asks())
        context: dict[str, Any] = {"topics": topics, "asks": dict(asks), "ask_tags": ASK_TAGS}
        if who.is_la:
            mine = hub.submissions(who.la_code, current_only=False)
            context["latest"] = max(mine, key=lambda s: (s.period, s.version), default=None)
            context["versions"] = len(mine)
        else:
            current = hub.submissions()
            by_period = Counter(s.period for s in current)
            context["periods"] = sorted(by_period.items(), reverse=True)[:SUBMISSION_PERIODS_SHOWN]
            context["las_known"] = len(_las(hub))
            context["trials"] = _count_trials(trials) if who.role in TRIAL_READERS else 0
        if who.role == "admin":
            with hub.session() as s:
                query = select(Audit).order_by(desc(Audit.id)).limit(AUDIT_SHOWN)
                context["audit"] = list(s.scalars(query))
        return render(request, "hub/dashboard.html", "Dashboard", **context)

    # --- submissions -------------------------------------------------------------------------

    @app.get("/submissions", response_class=HTMLResponse)
    def submissions(request: Request, who: User) -> HTMLResponse:
        las = _las(hub)
        if who.is_la:
            rows = sorted(
                hub.submissions(who.la_code, current_only=False),
                key=lambda s: (s.period, s.version),
                reverse=True,
            )
            return render(request, "hub/submissions_la.html", "Submissions", rows=rows)
        current = hub.submissions()
        periods = sorted({s.period for s in current}, reverse=True)[:SUBMISSION_PERIODS_SHOWN]
        cells = {(s.la_code, s.period): s for s in current}
        codes = sorted(set(las) | {s.la_code for s in current})
        table = [
            {"code": c, "name": las.get(c, ("", ""))[0], "region": las.get(c, ("", ""))[1],
             "cells": [cells.get((c, p)) for p in periods]}
            for c in codes
        ]  # fmt: skip
        received = {p: sum(1 for c in codes if (c, p) in cells) for p in periods}
        return render(
            request, "hub/submissions.html", "Submissions", periods=periods, table=table,
            received=received, las=len(codes),
        )  # fmt: skip

    @app.get("/submissions/{submission_id}", response_class=HTMLResponse)
    def submission(request: Request, who: User, submission_id: int) -> HTMLResponse:
        allow(who, LA_ROLES, "read an LA's raw submission: the hub publishes aggregates")
        found = next(
            (s for s in hub.submissions(who.la_code, current_only=False) if s.id == submission_id),
            None,
        )
        if found is None:  # another LA's looks the same as none at all
            raise HTTPException(404, f"Your LA has no submission {submission_id}.")
        payload = json.loads(found.payload)
        return render(
            request, "hub/submission.html", f"Submission for {found.period}", s=found,
            payload=payload, readiness=_readiness_rows(payload),
        )  # fmt: skip

    # --- evidence ----------------------------------------------------------------------------

    @app.get("/evidence", response_class=HTMLResponse)
    def evidence_list(request: Request, who: User) -> HTMLResponse:
        from headway.packs import library

        packs = sorted(library(), key=lambda p: p.title)
        return render(request, "hub/evidence_list.html", "Evidence", packs=packs)

    @app.get("/evidence/{pack}", response_class=HTMLResponse)
    def evidence(request: Request, who: User, pack: str) -> HTMLResponse:
        from headway.hub.evidence import build_evidence

        e = build_evidence(hub, pack)
        chart = [
            (r.title, r.shares["ready"], STATUS_COLOURS["ready"])
            for r in e.requirements
            if isinstance(r.shares["ready"], int | float)
        ]
        region_columns = list(next(iter(e.regions.values()), {}))
        return render(
            request, "hub/evidence.html", e.title, e=e, chart=chart,
            charted_all=len(chart) == len(e.requirements), region_columns=region_columns,
            ask_once=[r for r in e.requirements if r.also_asked_by],
        )  # fmt: skip

    # --- deliberation ------------------------------------------------------------------------

    @app.get("/deliberation", response_class=HTMLResponse)
    def deliberations(request: Request, who: User) -> HTMLResponse:
        return render(request, "hub/deliberations.html", "Deliberation", topics=_topics(hub, who))

    def deliberation_page(
        request: Request, who: Who, topic: str, status_code: int = 200, **extra: Any
    ) -> HTMLResponse:
        statements = hub.statements(topic)
        votes = hub.votes(topic)
        mine = {
            v.statement_id: VOTE_NAMES.get(v.value) for v in votes if v.participant == who.token_id
        }
        context: dict[str, Any] = {
            "topic": topic, "statements": statements, "mine": mine,
            "voters": len({v.participant for v in votes}), "can_vote": who.role in VOTERS,
            "can_write": who.role in STATEMENT_WRITERS, "analysis": None,
            "voted": request.query_params.get("voted"),
            "added": request.query_params.get("added"),
        }  # fmt: skip
        if who.role in ANALYSTS and votes:
            context["analysis"] = _analysis(hub, topic, votes, analyses)
        context.update(extra)
        return render(request, "hub/deliberation.html", topic, status_code, **context)

    @app.get("/deliberation/{topic}", response_class=HTMLResponse)
    def deliberation(request: Request, who: User, topic: str) -> HTMLResponse:
        return deliberation_page(request, who, topic)

    @app.post("/deliberation/{topic}/votes", dependencies=checked)
    async def vote(request: Request, who: User, topic: str) -> Response:
        allow(who, VOTERS, "vote in a deliberation")
        form = await request.form()
        statements = {s.id for s in await run_in_threadpool(hub.statements, topic)}
        chosen: dict[int, int] = {}
        for name, value in form.multi_items():
            if not name.startswith("s") or not name[1:].isdigit():
                continue
            sid = int(name[1:])
            if sid not in statements:
                raise HTTPException(404, f"There is no statement {sid} in '{topic}'.")
            if not isinstance(value, str) or value not in VOTES:
                return await run_in_threadpool(
                    deliberation_page, request, who, topic, 400,
                    errors={name: "Select agree, disagree or pass"},
                )  # fmt: skip
            chosen[sid] = VOTES[value]
        if not chosen:
            first = min(statements, default=0)
            return await run_in_threadpool(
                deliberation_page, request, who, topic, 400,
                errors={f"s{first}": "Select agree, disagree or pass for at least one statement"},
            )  # fmt: skip
        for sid, vote_value in chosen.items():
            await run_in_threadpool(hub.vote, who.caller, sid, vote_value)
        return RedirectResponse(
            f"/deliberation/{quote(topic, safe='')}?voted={len(chosen)}", status_code=303
        )

    @app.post("/deliberation/{topic}/statements", dependencies=checked)
    def add_statement(
        request: Request, who: User, topic: str, text: Annotated[str, Form()] = ""
    ) -> Response:
        allow(who, STATEMENT_WRITERS, "write statements")
        problem = (
            "Enter the statement" if not text.strip()
            else "The statement must be 1,000 characters or fewer" if len(text) > 1000
            else ""
        )  # fmt: skip
        if problem:
            return deliberation_page(request, who, topic, 400, errors={"text": problem}, text=text)
        hub.add_statement(who.caller, topic, text)
        return RedirectResponse(f"/deliberation/{quote(topic, safe='')}?added=1", status_code=303)

    # --- asks --------------------------------------------------------------------------------

    @app.get("/asks", response_class=HTMLResponse)
    def asks(request: Request, who: User) -> HTMLResponse:
        from headway.packs import library

        packs = {p.id: p.title for p in library()}
        topics = set(_topic_names(hub))
        return render(
            request, "hub/asks.html", "Asks ledger", asks=hub.asks(), packs=packs,
            topics=topics, tags=ASK_TAGS,
        )  # fmt: skip

    def ask_choices() -> dict[str, Any]:
        from headway.packs import library

        return {
            "packs": sorted((p.id, p.title) for p in library()),
            "topics": _topic_names(hub),
            "statuses": ASK_STATUSES,
        }

    @app.get("/asks/new", response_class=HTMLResponse)
    def ask_form(request: Request, who: User) -> HTMLResponse:
        allow(who, ASK_EDITORS, "add asks to the ledger")
        return render(request, "hub/ask_new.html", "Add an ask", values={}, **ask_choices())

    @app.post("/asks/new", dependencies=checked)
    def ask_add(
        request: Request,
        who: User,
        title: Annotated[str, Form()] = "",
        ask: Annotated[str, Form()] = "",
        pack: Annotated[str, Form()] = "",
        topic: Annotated[str, Form()] = "",
    ) -> Response:
        allow(who, ASK_EDITORS, "add asks to the ledger")
        values = {"title": title.strip(), "ask": ask.strip(), "pack": pack, "topic": topic}
        choices = ask_choices()
        errors: dict[str, str] = {}
        if not 1 <= len(values["title"]) <= 300:
            errors["title"] = "Enter a short title for the ask, up to 300 characters"
        if not 1 <= len(values["ask"]) <= 5000:
            errors["ask"] = "Enter what the sector asks for, up to 5,000 characters"
        if pack and pack not in {p for p, _ in choices["packs"]}:
            errors["pack"] = "Select a pack from the list"
        if len(topic) > 100:
            errors["topic"] = "Select a deliberation from the list"
        if errors:
            return render(request, "hub/ask_new.html", "Add an ask", 400, values=values,
                          errors=errors, **choices)  # fmt: skip
        made = hub.add_ask(values["title"], values["ask"], pack, topic)
        return RedirectResponse(f"/asks#ask-{made.id}", status_code=303)

    def find_ask(ask_id: int) -> Any:
        found = next((a for a in hub.asks() if a.id == ask_id), None)
        if found is None:
            raise HTTPException(404, f"There is no ask {ask_id}.")
        return found

    @app.get("/asks/{ask_id}", response_class=HTMLResponse)
    def ask_update_form(request: Request, who: User, ask_id: int) -> HTMLResponse:
        allow(who, ASK_EDITORS, "update the asks ledger")
        found = find_ask(ask_id)
        values = {"status": found.status, "response": found.response, "on": ""}
        return render(request, "hub/ask_update.html", f"Update ask {ask_id}", a=found,
                      values=values, statuses=ASK_STATUSES)  # fmt: skip

    @app.post("/asks/{ask_id}", dependencies=checked)
    def ask_update(
        request: Request,
        who: User,
        ask_id: int,
        status: Annotated[str, Form()] = "",
        response: Annotated[str, Form()] = "",
        on: Annotated[str, Form()] = "",
    ) -> Response:
        allow(who, ASK_EDITORS, "update the asks ledger")
        found = find_ask(ask_id)
        values = {"status": status, "response": response.strip(), "on": on.strip()}
        errors: dict[str, str] = {}
        if status not in ASK_STATUSES:
            errors["status"] = "Select the ask's status"
        when = None
        if values["on"]:
            try:
                when = date.fromisoformat(values["on"])
            except ValueError:
                errors["on"] = "Enter the date as a date, for example 2026-12-18"
        if errors:
            return render(request, "hub/ask_update.html", f"Update ask {ask_id}", 400, a=found,
                          values=values, statuses=ASK_STATUSES, errors=errors)  # fmt: skip
        hub.update_ask(ask_id, status, values["response"], when)
        return RedirectResponse(f"/asks#ask-{ask_id}", status_code=303)

    # --- the lab's trials --------------------------------------------------------------------

    @app.get("/trials", response_class=HTMLResponse)
    def trial_list(request: Request, who: User) -> HTMLResponse:
        allow(who, TRIAL_READERS, "see the lab's trials")
        return render(request, "hub/trials.html", "Trials", trials=trials.trials())

    @app.get("/trials/{trial_id}", response_class=HTMLResponse)
    def trial(request: Request, who: User, trial_id: int) -> HTMLResponse:
        allow(who, TRIAL_READERS, "see the lab's trials")
        r = trials.report(trial_id)
        return render(request, "hub/trial.html", r["trial"].name, r=r)

    @app.get("/trials/{trial_id}/report.html")
    def trial_download(who: User, trial_id: int) -> Response:
        allow(who, TRIAL_READERS, "see the lab's trials")
        body, name = trials.download(trial_id)
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
        return Response(
            body,
            media_type="text/html; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="trial-report-{safe}.html"'},
        )

    return app


def _count_trials(trials: TrialReports) -> int | str:
    """The lab's trials, or "not available" when the lab's database cannot be opened (the
    dashboard should still show the rest)."""
    try:
        return len(trials.lab().trials())
    except HeadwayError:
        return "not available"


def _las(hub: Hub) -> dict[str, tuple[str, str]]:
    """LA code -> (name, region), for every LA the hub knows."""
    with hub.session() as s:
        return {la.code: (la.name, la.region) for la in s.scalars(select(LocalAuthority))}


def _topic_names(hub: Hub) -> list[str]:
    with hub.session() as s:
        return sorted(s.scalars(select(Statement.topic).distinct()))


def _topics(hub: Hub, who: Who) -> list[dict[str, Any]]:
    out = []
    for topic in _topic_names(hub):
        statements = hub.statements(topic)
        votes = hub.votes(topic)
        mine = {v.statement_id for v in votes if v.participant == who.token_id}
        out.append(
            {
                "topic": topic,
                "href": f"/deliberation/{quote(topic, safe='')}",
                "statements": len(statements),
                "voters": len({v.participant for v in votes}),
                "to_vote": sum(1 for s in statements if s.id not in mine),
            }
        )
    return out


def _analysis(
    hub: Hub, topic: str, votes: list[Any], cache: dict[str, tuple[str, Any]]
) -> dict[str, Any]:
    """analyse_topic (as the API's /analysis), redone only when the votes have changed."""
    from headway.hub.deliberate import analyse_topic

    key = hashlib.sha256(
        repr(sorted((v.participant, v.statement_id, v.value) for v in votes)).encode()
    ).hexdigest()
    cached = cache.get(topic)
    if cached is not None and cached[0] == key:
        return dict(cached[1])
    result = analyse_topic(hub, topic)
    texts = {s.id: s.text for s in hub.statements(topic)}
    biggest = max((g.size for g in result.groups), default=0)
    made = {
        "result": result,
        "groups": [
            {"label": g.label, "size": g.size,
             "repness": result.repness.get(g.id, [])}
            for g in result.groups
        ],
        "chart": [(f"Group {g.label}", g.size, GROUP_COLOUR) for g in result.groups],
        "biggest": biggest,
        "labels": [g.label for g in result.groups],
        "unvoted": [texts[i] for i in result.statements_without_votes if i in texts],
        "at": datetime.now().strftime("%H:%M"),
    }  # fmt: skip
    cache[topic] = (key, made)
    return made


def _readiness_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for p in payload.get("readiness", []):
        counts = Counter(r.get("status") for r in p.get("requirements", []))
        rows.append(
            {
                "pack": p.get("pack"),
                "version": p.get("version"),
                "score": p.get("score"),
                "ready": counts["ready"],
                "at_risk": counts["at risk"],
                "gap": counts["gap"],
                "hours": round(
                    sum(float(r.get("effort_hours", 0)) for r in p.get("requirements", []))
                ),
            }
        )
    return rows


SECRET_ENV = "HEADWAY_HUB_PAGES_SECRET"  # hex; the same in every worker process


def hub_site(hub: Hub, rate_limit: int | None = None, secret: bytes | None = None) -> FastAPI:
    """The hub as `headway hub serve` runs it: the API at /api and the pages at /."""
    from headway.hub.app import RATE_LIMIT, create_app

    app = create_app(hub, RATE_LIMIT if rate_limit is None else rate_limit)
    app.mount("/", create_hub_pages(hub, secret=secret))
    return app


def from_environment() -> FastAPI:
    """What each of `headway hub serve --workers N`'s processes serves: the hub on the
    database in $HEADWAY_HUB_DB, its pages signed with the key in $HEADWAY_HUB_PAGES_SECRET."""
    import os

    from headway.hub.app import DB_ENV
    from headway.hub.store import hub_url

    key = os.environ.get(SECRET_ENV)
    hub = Hub.open(hub_url(os.environ.get(DB_ENV) or None))
    return hub_site(hub, secret=bytes.fromhex(key) if key else None)
