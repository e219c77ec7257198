"""A clicktrail server process for outage tests, and what the tests ask of it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail.config import Settings
from clicktrail.storage.urls import async_url
from tests.outages.proxy import Proxy
from tests.support import Tenant, make_tenant
from tests.tracking.helpers import Tracker
from tests.webhooks.processes import Process, server

# The servers' CLICKTRAIL_DATABASE_TIMEOUT: each wait on the database gives up after this long.
TIMEOUT = 1.0
RECOVERY = 3.0  # seconds a server may take to answer again once its database is back
DATABASE_AWAY = "The database is temporarily unavailable. Please retry in a few seconds."


def assert_unavailable(response: httpx.Response, message: str = DATABASE_AWAY) -> None:
    """503 in Dub's envelope, with a Retry-After in seconds."""
    assert response.status_code == 503, response.text
    assert response.json() == {
        "error": {
            "code": "service_unavailable",
            "message": message,
            "doc_url": "https://dub.co/docs/api-reference/errors#service-unavailable",
        }
    }
    assert response.headers["retry-after"] == "5"


async def timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


def through(proxy: Proxy, url: str) -> str:
    """`url` with the proxy's port in place of the server's."""
    return make_url(url).set(port=proxy.port).render_as_string(hide_password=False)


@dataclass
class Site:
    """A running server, its tenant, and the database as the test (not the server) reaches it."""

    process: Process
    http: httpx.AsyncClient
    tenant: Tenant
    direct: Settings

    @property
    def track(self) -> Tracker:
        return Tracker(self.http, self.tenant, self.direct)

    async def health(self) -> httpx.Response:
        return await self.http.get("/health")

    async def recovered(self) -> None:
        """Once the database is back, the server answers again by itself, within a moment
        (after a failed connect, the next one waits a second: storage/db.py)."""
        async with asyncio.timeout(RECOVERY):
            while (await self.health()).status_code != 200:  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.05)


@asynccontextmanager
async def site(direct: Settings, **server_settings: Any) -> AsyncIterator[Site]:
    """A server for `direct`'s database with `server_settings` (its own URLs, through a proxy)."""
    settings = direct.model_copy(update={"database_timeout": TIMEOUT, **server_settings})
    tenant = await make_tenant(direct, "acme")
    async with server(settings) as process, httpx.AsyncClient(base_url=process.url) as http:
        yield Site(process, http, tenant, direct)


async def execute(settings: Settings, sql: str, **params: Any) -> None:
    """Change the database directly, beside the server, as another host would."""
    engine = create_async_engine(async_url(settings.database_url))
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql), params)
    finally:
        await engine.dispose()
