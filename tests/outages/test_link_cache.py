"""A long outage: the link cache's one-minute backstop passes while PostgreSQL is away. Links
visitors already followed keep redirecting from what the cache had; a link never looked up
gets a 503 page, not a 500; after the outage, lookups are fresh again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from clicktrail.app import create_app
from clicktrail.redirect import resolver
from clicktrail.storage.db import CONNECT_PAUSE
from tests.conftest import BROWSER_UA, settings_for
from tests.outages.helpers import TIMEOUT, through
from tests.outages.proxy import Proxy
from tests.support import make_tenant


@pytest.fixture
async def http(pg_url: str, pg_proxy: Proxy) -> AsyncIterator[httpx.AsyncClient]:
    direct = settings_for(pg_url)
    tenant = await make_tenant(direct, "acme")
    settings = settings_for(through(pg_proxy, pg_url), database_timeout=TIMEOUT)
    root = create_app(settings)
    async with root.api.router.lifespan_context(root.api):
        transport = httpx.ASGITransport(app=root, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost:8000", headers=tenant.auth
        ) as client:
            yield client


async def visit(http: httpx.AsyncClient, key: str) -> httpx.Response:
    http.cookies.clear()
    return await http.get(f"/{key}", headers={"User-Agent": BROWSER_UA})


async def test_cached_links_outlive_the_backstop_while_the_database_is_away(
    http: httpx.AsyncClient, pg_proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = await http.post("/links", json={"url": "https://example.com/a", "key": "known"})
    assert made.status_code == 200, made.text
    assert (await visit(http, "known")).status_code == 302  # now in the cache
    await pg_proxy.cut()
    monkeypatch.setattr(resolver, "MAX_AGE_SECONDS", 0.0)  # every lookup: a minute has passed

    for _ in range(2):
        kept = await visit(http, "known")
        assert kept.status_code == 302
        assert kept.headers["location"] == "https://example.com/a"  # no click id: not recorded
    unknown = await visit(http, "never-seen")
    assert unknown.status_code == 503
    assert unknown.headers["retry-after"] == "5"
    assert "Try again shortly" in unknown.text

    await pg_proxy.restore()
    async with asyncio.timeout(10):  # after a failed connect, the next waits a second
        while (await http.get("/health")).status_code != 200:  # noqa: ASYNC110 - a server
            await asyncio.sleep(0.1)
    # The folder and the dispatcher poll the database throughout; a connect of theirs that
    # failed as the outage ended pauses new connects for a moment (storage/db.py).
    await asyncio.sleep(CONNECT_PAUSE + 0.5)
    changed = await http.patch(f"/links/{made.json()['id']}", json={"url": "https://example.com/b"})
    assert changed.status_code == 200, changed.text
    after = await visit(http, "known")
    assert httpx.URL(after.headers["location"]).copy_with(query=None) == "https://example.com/b"
