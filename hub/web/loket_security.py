"""The loket on the app: session cookie, security headers, static assets and Dutch error pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from hub.web.auth import NotSignedIn

if TYPE_CHECKING:
    from hub.web.pages import LoketServices

STATIC = Path(__file__).with_name("static")
SESSION_COOKIE = "loket_sessie"

#: No inline script or style, nothing from elsewhere, never inside a frame.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)

SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # same-origin, not no-referrer: with no-referrer a browser posts forms with `Origin: null`.
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}

#: Pages with children's data are never cached (browser back button, proxies).
NO_STORE_PREFIXES = ("/loket", "/auth")


def _is_page(request: Request) -> bool:
    return (
        request.method == "GET"
        and request.url.path.startswith("/loket")
        and (request.url.path != "/loket/stroom")
    )


def install_loket(app: FastAPI, services: LoketServices | None) -> None:
    """Add the loket's routes, session, headers and error pages to `app` (or none of them)."""

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith(NO_STORE_PREFIXES):
            response.headers["cache-control"] = "no-store"
        return response

    if services is None:
        return
    from hub.web.pages import Refused, loket_router, page

    settings = services.settings
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=int(settings.session_hours * 3600),
        same_site="lax",  # the provider's redirect back is a top-level cross-site navigation
        https_only=settings.cookie_secure,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(loket_router(services))

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _is_page(request) and request.query_params.get("deel") != "1":
            return page(
                request,
                "welkom.html",
                None,
                status=401,
                titel="Inloggen",
                melding="Log in om het loket te gebruiken. Was u ingelogd, dan is uw sessie "
                "verlopen.",
            )
        return page(
            request,
            "fout.html",
            None,
            status=401,
            titel="Sessie verlopen",
            bericht="U bent niet (meer) ingelogd. Log opnieuw in en probeer het nog eens.",
            verder=("/auth/login", "Inloggen"),
        )

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        from hub.web.auth import current

        try:
            pro = current(request)
        except NotSignedIn:
            pro = None
        return page(
            request,
            "fout.html",
            pro,
            status=exc.status,
            titel=exc.titel,
            bericht=exc.bericht,
            verder=("/loket", "Naar de lijst") if pro else None,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and request.url.path.startswith(("/loket", "/auth")):
            return page(
                request,
                "fout.html",
                None,
                status=404,
                titel="Niet gevonden",
                bericht="Deze pagina bestaat niet.",
            )
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def bad_query(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith(("/loket", "/auth")):
            return await request_validation_exception_handler(request, exc)
        return page(
            request,
            "fout.html",
            None,
            status=400,
            titel="Ongeldige vraag",
            bericht="Deze vraag aan het loket klopt niet (bijvoorbeeld een paginanummer dat "
            "geen getal is).",
        )
