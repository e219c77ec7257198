"""The ASGI application: short links go to the bare redirect app, everything else to the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clicktrail import __version__
from clicktrail.analytics import endpoints as analytics
from clicktrail.api import handlers, system
from clicktrail.api.bodylimit import BodyLimit
from clicktrail.api.faults import ContainFaults
from clicktrail.api.generations.middleware import GenerationShapes
from clicktrail.api.jsonbody import StrictJson
from clicktrail.api.validation import STORABLE_PARAMETERS
from clicktrail.config import Settings
from clicktrail.customers import endpoints as customers
from clicktrail.dashboard.app import create_dashboard
from clicktrail.domains import endpoints as domains
from clicktrail.events import endpoints as events
from clicktrail.folders import endpoints as folders
from clicktrail.links import batch_endpoints as link_batches
from clicktrail.links import endpoints as links
from clicktrail.links.rules import RESERVED
from clicktrail.qr import endpoints as qr
from clicktrail.redirect import endpoints as track_click
from clicktrail.redirect.app import RedirectApp
from clicktrail.runtime import Runtime
from clicktrail.tags import endpoints as tags
from clicktrail.tracking import endpoints as tracking
from clicktrail.webhooks import endpoints as webhooks

CORS_PATHS = frozenset({"/track/click"})
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"POST, OPTIONS"),
    (b"access-control-allow-headers", b"Content-Type, Authorization"),
]


def create_api(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = await Runtime.start(settings)
        try:
            yield
        finally:
            await app.state.runtime.close()

    api = FastAPI(
        title="clicktrail",
        version=__version__,
        description="Link attribution and conversion tracking, wire-compatible with Dub's API.",
        lifespan=lifespan,
        dependencies=[STORABLE_PARAMETERS],  # every route: no unstorable text in its parameters
    )
    handlers.install(api)
    api.add_middleware(GenerationShapes)  # answers as the calling SDK generation reads them
    for router in (
        system.router,
        link_batches.router,  # before links.router, whose /links/{id} would take /links/bulk
        links.router,
        qr.router,
        domains.router,
        folders.router,
        tags.router,
        track_click.router,
        tracking.router,
        customers.router,
        events.router,
        analytics.router,
        webhooks.router,
    ):
        api.include_router(router)
    return api


class Root:
    """Routes by Host and path (DESIGN.md, "Routing one host or two"); `/api/X` is `/X`."""

    def __init__(self, api: FastAPI, body_limit: int) -> None:
        self.api = api
        self.limited = BodyLimit(StrictJson(api), body_limit)
        self.redirect = RedirectApp(lambda: api.state.runtime)
        self.dashboard = BodyLimit(create_dashboard(lambda: api.state.runtime), body_limit)
        self.contained = ContainFaults(self._route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.contained(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.api(scope, receive, send)
            return
        if _is_dashboard(scope["path"]):  # its forms are not JSON: not through StrictJson
            await self.dashboard(scope, receive, send)
            return
        if await self._is_redirect(scope):
            await self.redirect(scope, receive, send)
            return
        scope = _as_api_request(scope)
        if scope["path"] in CORS_PATHS:
            await _with_cors(self.limited, scope, receive, send)
            return
        await self.limited(scope, receive, send)

    async def _is_redirect(self, scope: Scope) -> bool:
        """API paths are the API's on every host, so that no link can take one over; `/` is a
        domain's root link only on a host that serves nothing but short links."""
        if scope["method"] not in {"GET", "HEAD"}:
            return False
        first = scope["path"].lstrip("/").split("/", 1)[0].lower()
        if first:
            return first not in RESERVED
        runtime: Runtime = self.api.state.runtime
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
        return await runtime.is_short_host(host)


def _is_dashboard(path: str) -> bool:
    return path == "/dashboard" or path.startswith("/dashboard/")


def _as_api_request(scope: Scope) -> Scope:
    """`/api/X` is `/X`; and every body is read as JSON whatever its content type, as Dub does."""
    path: str = scope["path"]
    if path == "/api" or path.startswith("/api/"):
        scope = {**scope, "path": path[4:] or "/", "raw_path": None}
    if scope["method"] in {"POST", "PATCH", "PUT"}:
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
        scope = {**scope, "headers": [*headers, (b"content-type", b"application/json")]}
    return scope


async def _with_cors(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    if scope["method"] == "OPTIONS":
        await send({"type": "http.response.start", "status": 204, "headers": CORS_HEADERS})
        await send({"type": "http.response.body", "body": b""})
        return

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *CORS_HEADERS]}
        await send(message)

    await app(scope, receive, send_with_cors)


def create_app(settings: Settings | None = None) -> Root:
    settings = settings or Settings()
    return Root(create_api(settings), body_limit=settings.body_limit)
