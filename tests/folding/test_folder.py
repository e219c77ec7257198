"""The folder derives link counters, customer totals and rollups from the event rows exactly
once: with writers committing while it folds, with a second folder competing for the lease,
and with a transaction that commits long after later events were folded (PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from clicktrail.config import Settings
from clicktrail.folding.folder import Folder
from clicktrail.storage.db import Database
from clicktrail.storage.urls import async_url
from tests.conftest import PG_URL
from tests.crash.invariants import assert_folded_exactly
from tests.folding.workload import make_links, mixed, visit
from tests.support import LiveServer, Tenant, connected, fetch, folded, make_tenant

COPIED = (
    "workspace_id, link_id, timestamp, domain, key, url, identity_hash, ip, continent, "
    "country, region, city, device, device_vendor, device_model, browser, browser_version, "
    "os, os_version, ua, referer, referer_url, trigger, qr"
)
COPY_CLICK = f"INSERT INTO clicks (id, {COPIED}) SELECT :late, {COPIED} FROM clicks WHERE id = :id"  # noqa: S608


@pytest.fixture
async def tenant(live_server: LiveServer) -> Tenant:
    return await make_tenant(live_server.settings, "acme")


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=30)
    async with httpx.AsyncClient(base_url=live_server.url, limits=limits, timeout=60) as client:
        yield client


async def competing(settings: Settings, stop: asyncio.Event) -> int:
    """A second folder on the same database, as another worker process would run: it folds
    only while it holds the lease. Returns how many rounds it found work."""
    db = Database(settings)
    folder = Folder(db)
    busy = 0
    try:
        while not stop.is_set():
            busy += await folder.run_once()
            await asyncio.sleep(0.005)
    finally:
        await db.dispose()
    return busy


async def test_concurrent_writers_and_two_folders_fold_each_event_once(
    live_server: LiveServer, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    settings = live_server.settings
    keys = await make_links(http, tenant, 3)
    stop = asyncio.Event()
    rival = asyncio.create_task(competing(settings, stop))
    await mixed(http, tenant, keys, 90)
    await folded(settings)
    stop.set()
    await rival
    await assert_folded_exactly(settings)
    [counted] = await fetch(
        settings, "SELECT sum(clicks) AS clicks, sum(sales) AS sales FROM links"
    )
    assert (counted["clicks"], counted["sales"]) == (90, 2 * 15)


@pytest.mark.skipif(not PG_URL, reason="SQLite has one writer: no commit can come late")
async def test_a_late_commit_is_folded_once_after_later_events(
    live_server: LiveServer, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    """A click inserted first and committed last: a watermark folder would skip it."""
    settings = live_server.settings
    [key] = await make_links(http, tenant, 1)
    first = await visit(http, key, "early")
    [row] = await fetch(settings, "SELECT id FROM clicks WHERE id = :id", id=first)
    late = "late" + first[4:]
    async with connected(settings) as conn:
        await conn.execute(text(COPY_CLICK), {"late": late, "id": row["id"]})  # not committed yet
        for n in range(5):
            await visit(http, key, f"later{n}")
        await folded(settings)  # the later clicks are folded; the late one is invisible
        [link] = await fetch(settings, "SELECT clicks FROM links")
        assert link["clicks"] == 6
        await conn.commit()
    await folded(settings)
    [link] = await fetch(settings, "SELECT clicks FROM links")
    assert link["clicks"] == 7
    await assert_folded_exactly(settings)


async def test_an_event_shows_in_counters_and_analytics_within_a_second(
    live_server: LiveServer, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    """Measured beside the server, without the wait that API reads do: the lag itself."""
    settings = live_server.settings
    [key] = await make_links(http, tenant, 1)
    await visit(http, key, "warm-up")  # the first fold builds and compiles its statements
    await folded(settings)
    lags = []
    engine = create_async_engine(async_url(settings.database_url))  # one pool: cheap polls
    try:
        for n in range(1, 21):
            await visit(http, key, f"lag{n}")
            lags.append(await until_counted(engine, n + 1))
    finally:
        await engine.dispose()
    [rolled] = await fetch(
        settings, "SELECT sum(clicks) AS n FROM rollups WHERE dim = '' AND link_id = '' "
        "AND grain = 'h'"
    )  # fmt: skip
    assert rolled["n"] == 21
    assert max(lags) < 1.0


async def until_counted(engine: AsyncEngine, clicks: int) -> float:
    """Seconds until the link's counter reaches `clicks`, polled beside the server."""
    acknowledged = time.monotonic()
    while True:
        async with engine.connect() as conn:
            counted = int((await conn.execute(text("SELECT clicks FROM links"))).scalar_one())
        lag = time.monotonic() - acknowledged
        if counted == clicks:
            return lag
        assert lag < 1.0, f"click {clicks} not folded within 1 s (counted {counted})"
        await asyncio.sleep(0.005)


async def test_reads_of_counters_and_analytics_count_every_acknowledged_event(
    live_server: LiveServer, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    """No wait in the test: the API's reads wait for the folder themselves."""
    keys = await make_links(http, tenant, 2)
    await mixed(http, tenant, keys, 30)
    links = (await http.get("/links", headers=tenant.auth)).json()
    assert sum(link["clicks"] for link in links) == 30
    assert sum(link["sales"] for link in links) == 2 * 5
    totals = (await http.get("/analytics", params={"event": "composite", "interval": "all"},
                             headers=tenant.auth)).json()  # fmt: skip
    assert (totals["clicks"], totals["leads"], totals["sales"]) == (30, 10, 10)
