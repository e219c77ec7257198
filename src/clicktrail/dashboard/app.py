"""The dashboard's ASGI app: its routes, its error pages and the headers on every answer."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clicktrail.dashboard import web
from clicktrail.dashboard.pages import (
    account,
    analytics,
    customers,
    events,
    keys,
    links,
    settings,
    webhooks,
)
from clicktrail.errors import AppError, Unauthorized
from clicktrail.runtime import Runtime

_HEADERS = [(k.lower().encode(), v.encode()) for k, v in web.SECURITY_HEADERS.items()]


def create_dashboard(runtime: Callable[[], Runtime]) -> ASGIApp:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, root_path="")
    app.state.runtime = runtime
    app.mount(f"{web.PREFIX}/static", StaticFiles(directory=web.STATIC), name="static")
    for module in (account, links, analytics, events, customers, webhooks, keys, settings):
        app.include_router(module.router, prefix=web.PREFIX)
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    return SecurityHeaders(app)


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if (
        isinstance(exc, Unauthorized)
        and request.method == "GET"
        and "sign-in" not in str(request.url.path)
    ):
        return web.redirect(f"{web.PREFIX}/sign-in")
    response = web.render(request, "error.html", exc.status_code, message=exc.message)
    response.headers.update(exc.headers)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "Page not found." if exc.status_code == 404 else str(exc.detail)
    return web.render(request, "error.html", exc.status_code, message=message)


async def _bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return web.render(request, "error.html", 422, message=f"{where}: {first.get('msg', '')}")


class SecurityHeaders:
    """The CSP and its companions on every answer, error pages and static files too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)
