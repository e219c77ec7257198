"""Shared steps of the redirect tests: links made through the API, visits, and database reads."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail.app import Root, create_app
from clicktrail.config import Settings
from clicktrail.storage.urls import async_url
from tests.conftest import BROWSER_UA
from tests.support import Tenant, fetch, folded

IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
CLICK_ID = re.compile(r"^[0-9A-Za-z]{16}$")
PEER = "203.0.113.7"  # the `client` fixture's socket peer
DESTINATION = "https://example.com/landing"


async def make_link(client: httpx.AsyncClient, tenant: Tenant, **fields: Any) -> dict[str, Any]:
    """A link created through the API; `fields` are the API's (camelCase) body fields."""
    response = await client.post("/links", json={"url": DESTINATION, **fields}, headers=tenant.auth)
    assert response.status_code == 200, response.text
    link: dict[str, Any] = response.json()
    return link


async def visit(
    client: httpx.AsyncClient,
    path: str,
    *,
    ua: str = BROWSER_UA,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One request as a browser would send it; cookies only when `headers` carries them."""
    client.cookies.clear()
    return await client.request(method, path, headers={"User-Agent": ua, **(headers or {})})


def query(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))


def dub_id(response: httpx.Response) -> str | None:
    return query(response.headers["location"]).get("dub_id")


async def clicks(settings: Settings, link_id: str) -> list[dict[str, Any]]:
    return await fetch(settings, "SELECT * FROM clicks WHERE link_id = :id", id=link_id)


async def click_count(settings: Settings) -> int:
    """Clicks on every link: for requests that must record nothing anywhere."""
    rows = await fetch(settings, "SELECT count(*) AS n FROM clicks")
    return int(rows[0]["n"])


async def link_row(settings: Settings, link_id: str) -> dict[str, Any]:
    """The link's row, its counters folded."""
    await folded(settings)
    rows = await fetch(settings, "SELECT * FROM links WHERE id = :id", id=link_id)
    return rows[0]


async def execute(settings: Settings, statement: Executable) -> None:
    """Change the database behind the server's back, as an operator (or time) would."""
    engine = create_async_engine(async_url(settings.database_url))
    try:
        async with engine.begin() as conn:
            await conn.execute(statement)
    finally:
        await engine.dispose()


def changed(settings: Settings, **changes: Any) -> Settings:
    """The test's settings with some values changed, validated as if read from the environment."""
    return Settings.model_validate({**settings.model_dump(), **changes})


@asynccontextmanager
async def peer_client(app: Root, peer: str = PEER) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a running app whose requests come from the socket address `peer`."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        yield c


@asynccontextmanager
async def worker(settings: Settings, peer: str = PEER) -> AsyncIterator[httpx.AsyncClient]:
    """Another app instance on the same database: a model of a second worker process."""
    root = create_app(settings)
    async with root.api.router.lifespan_context(root.api), peer_client(root, peer) as c:
        yield c
