"""What the LA app and the hub's pages share: GOV.UK templates, assets, security, forms.

- Templates are Jinja with the GOV.UK Frontend macros from govuk-frontend-jinja; the CSS,
  JavaScript, fonts and images are GOV.UK Frontend's own npm package, installed and copied
  into web/assets by `make assets` (never committed).
- Every response carries a strict Content-Security-Policy: scripts only from /assets or
  with the page's nonce, no inline styles, no third-party origins, no framing.
- Sessions are a signed cookie (Starlette's SessionMiddleware, itsdangerous), HttpOnly,
  Secure and SameSite=Strict. Browsers keep Secure cookies on http://127.0.0.1 and
  http://localhost, so the loopback app needs no TLS.
- Every form that changes something carries a CSRF token: an HMAC of the session's random
  id, checked on every POST. Written here rather than taken from starlette-csrf because that
  middleware reads the token only from a request header, which a form posted without
  JavaScript cannot send; every page here must work without JavaScript.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from starlette.middleware.sessions import SessionMiddleware

from headway.errors import HeadwayError

ASSETS = Path(__file__).parent / "assets"
SESSION_COOKIE = "headway_session"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )


class SecurityHeaders:
    """Pure ASGI middleware: a fresh CSP nonce per request and the headers every page needs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["nonce"] = nonce
        static = scope["path"].startswith("/assets/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(
                    (k.encode(), v.encode())
                    for k, v in (
                        ("content-security-policy", content_security_policy(nonce)),
                        ("x-content-type-options", "nosniff"),
                        ("referrer-policy", "no-referrer"),
                        ("x-frame-options", "DENY"),
                        ("cross-origin-opener-policy", "same-origin"),
                        ("cache-control", "max-age=3600" if static else "no-store"),
                    )
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def assets_ready() -> Path:
    if not (ASSETS / "govuk-frontend.min.css").exists():
        raise HeadwayError(
            "The web app's GOV.UK Frontend assets are not built.",
            "Run `make assets` (it needs Node.js and npm), or `make demo`, which does it.",
        )
    return ASSETS


def templates() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("headway.web", "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{n:,.0f}" if isinstance(n, int | float) else n
    env.filters["percent"] = lambda x: f"{100 * x:.0f}%" if isinstance(x, int | float) else x
    return env


class Site:
    """One web app's pages: its templates, navigation, session secret and CSRF check."""

    def __init__(
        self,
        service_name: str,
        navigation: list[tuple[str, str]],
        session_cookie: str = SESSION_COOKIE,
        secret: bytes | None = None,
    ) -> None:
        self.service_name = service_name
        self.navigation = navigation
        self.session_cookie = session_cookie  # apps on one host need different cookies
        self.env = templates()
        # per process unless given (worker processes serving one site must share it): a
        # restart signs everyone out
        self.secret = secret or secrets.token_bytes(32)

    def install(self, app: FastAPI) -> None:
        app.mount("/assets", StaticFiles(directory=assets_ready()), name="assets")
        app.add_middleware(
            SessionMiddleware,
            secret_key=self.secret.hex(),
            session_cookie=self.session_cookie,
            same_site="strict",
            https_only=True,
            max_age=8 * 3600,
        )
        app.add_middleware(SecurityHeaders)

    def csrf_token(self, request: Request) -> str:
        session = request.session
        if "id" not in session:
            session["id"] = secrets.token_urlsafe(18)
        return hmac.new(self.secret, session["id"].encode(), hashlib.sha256).hexdigest()

    async def check_csrf(self, request: Request) -> None:
        """A FastAPI dependency: refuse a POST whose form lacks this session's token."""
        if request.method in _SAFE_METHODS:
            return
        form = await request.form()
        sent = form.get(CSRF_FIELD)
        if "id" not in request.session or not isinstance(sent, str):
            raise HTTPException(403, "This form has expired. Go back, reload the page, try again.")
        if not hmac.compare_digest(sent, self.csrf_token(request)):
            raise HTTPException(403, "This form has expired. Go back, reload the page, try again.")

    def page(
        self, request: Request, template: str, title: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        path = request.url.path
        nav = [
            {"href": href, "text": text, "active": path == href or path.startswith(href + "/")}
            if href != "/"
            else {"href": href, "text": text, "active": path == "/"}
            for href, text in self.navigation
        ]
        errors = context.get("errors") or {}
        error_list = [{"text": text, "href": f"#{field}"} for field, text in errors.items()]
        html = self.env.get_template(template).render(
            error_list=error_list,
            request=request,
            title=title,
            serviceName=self.service_name,
            serviceUrl="/",
            navigation=nav,
            cspNonce=request.state.nonce,
            csrf_token=self.csrf_token(request),
            csrf_field=CSRF_FIELD,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)
