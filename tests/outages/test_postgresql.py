"""PostgreSQL away, refusing connections or silent: the API answers 503 in Dub's envelope within
the database timeout, `/health` says the database is down, cached links still redirect, nothing
is half-stored, and service resumes by itself once the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from clicktrail.storage.db import CONNECT_PAUSE
from tests.conftest import BROWSER_UA, settings_for
from tests.outages.helpers import TIMEOUT, Site, assert_unavailable, site, through, timed
from tests.outages.proxy import Proxy
from tests.support import fetch

# Refused: at once. Silent: one timeout for the pooled connection's ping, then asyncpg's
# graceful close of it (2 s at most), plus the slack of a loaded test machine.
ANSWER_WITHIN = {"refused": 1.0, "stalled": TIMEOUT + 2.0 + 1.5}


async def visit(site: Site, key: str, visitor: str) -> httpx.Response:
    agent = f"{BROWSER_UA} visitor/{visitor}"
    site.http.cookies.clear()  # a new visitor: no click id of an earlier one
    return await site.http.get(f"/{key}", headers={"User-Agent": agent})


async def break_(proxy: Proxy, outage: str) -> None:
    await (proxy.cut() if outage == "refused" else proxy.stall())


@pytest.fixture
async def running(pg_url: str, pg_proxy: Proxy) -> AsyncIterator[Site]:
    async with site(settings_for(pg_url), database_url=through(pg_proxy, pg_url)) as found:
        yield found


@pytest.mark.parametrize("outage", ["refused", "stalled"])
async def test_a_lead_gets_503_while_the_database_is_away_and_is_stored_once_after(
    running: Site, pg_proxy: Proxy, outage: str
) -> None:
    track = running.track
    link = await track.link(key="spring")
    lead = {"clickId": await track.click(link), "eventName": "Sign up", "customerExternalId": "u1"}
    await break_(pg_proxy, outage)
    refused, took = await timed(track.post("/track/lead", lead))
    assert_unavailable(refused)
    assert took < ANSWER_WITHIN[outage]
    # read directly, past the proxy (the event rows: the server cannot fold while it is away)
    assert await fetch(running.direct, "SELECT id FROM leads") == []
    await pg_proxy.restore()
    # Once the pause after a failed connect is over, the very first request succeeds: no
    # connection broken by the outage is handed out (pool pre-ping).
    await asyncio.sleep(CONNECT_PAUSE + 0.5)
    first = await track.lead(**lead)
    assert first["link"]["id"] == link["id"]
    assert (await track.lead(**lead))["link"] is None  # a retry of the retry: a duplicate
    assert len(await track.rows("SELECT id FROM leads")) == 1
    assert (await track.counters(link))["leads"] == 1


@pytest.mark.parametrize("outage", ["refused", "stalled"])
async def test_health_says_the_database_is_down_and_recovers(
    running: Site, pg_proxy: Proxy, outage: str
) -> None:
    healthy = await running.health()
    assert healthy.status_code == 200
    assert healthy.json()["status"] == "ok"
    await break_(pg_proxy, outage)
    down, took = await timed(running.health())
    assert down.status_code == 503
    body = down.json()
    assert (body["status"], body["database"], body["fx"]) == ("down", "down", None)
    assert set(body) == set(healthy.json())
    assert took < ANSWER_WITHIN[outage]
    await pg_proxy.restore()
    await running.recovered()
    back = await running.health()
    assert (back.status_code, back.json()) == (200, healthy.json())


@pytest.mark.parametrize("outage", ["refused", "stalled"])
async def test_a_cached_link_still_redirects_without_a_click_id(
    running: Site, pg_proxy: Proxy, outage: str
) -> None:
    link = await running.track.link(key="spring")
    before = await visit(running, "spring", "before")  # loads the link into the cache
    await break_(pg_proxy, outage)
    during, took = await timed(visit(running, "spring", "during"))
    assert during.status_code == 302
    assert during.headers["location"] == link["url"]  # no dub_id: no click was promised
    assert took < TIMEOUT + ANSWER_WITHIN[outage]
    await pg_proxy.restore()
    await running.recovered()
    after = await visit(running, "spring", "after")
    acknowledged = [httpx.URL(r.headers["location"]).params["dub_id"] for r in (before, after)]
    stored = await running.track.rows("SELECT id FROM clicks ORDER BY timestamp")
    assert [row["id"] for row in stored if row["id"] in acknowledged] == acknowledged
    assert (await running.track.counters(link))["clicks"] == len(stored)


async def test_a_link_created_while_the_database_is_away_is_created_once_after(
    running: Site, pg_proxy: Proxy
) -> None:
    body = {"url": "https://example.com/later", "key": "later"}
    auth = running.tenant.auth
    await pg_proxy.cut()
    assert_unavailable(await running.http.post("/links", json=body, headers=auth))
    assert await running.track.rows("SELECT id FROM links") == []
    await pg_proxy.restore()
    await running.recovered()
    created = await running.http.post("/links", json=body, headers=auth)
    assert created.status_code == 200, created.text
    assert len(await running.track.rows("SELECT id FROM links")) == 1


async def test_a_burst_during_a_stall_answers_within_the_timeout(
    running: Site, pg_proxy: Proxy
) -> None:
    """More requests than the pool has connections: none queues behind another's connect."""
    auth = running.tenant.auth
    await pg_proxy.stall()
    answers = await asyncio.gather(
        *(timed(running.http.get("/links", headers=auth)) for _ in range(30))
    )
    for response, _ in answers:
        assert_unavailable(response)
    assert max(took for _, took in answers) < ANSWER_WITHIN["stalled"]
    await pg_proxy.restore()
    await running.recovered()
    assert (await running.http.get("/links", headers=auth)).status_code == 200


async def test_a_burst_of_leads_during_a_stall_answers_within_the_timeout(
    running: Site, pg_proxy: Proxy
) -> None:
    """Leads share group-commit batches: what queued behind a batch that waited out the stall
    fails with it, instead of waiting out another timeout."""
    track = running.track
    link = await track.link(key="spring")
    click_id = await track.click(link)
    await pg_proxy.stall()

    async def lead(n: int) -> tuple[httpx.Response, float]:
        await asyncio.sleep(n * 0.05)  # spread over several batches
        body = {"clickId": click_id, "eventName": "Sign up", "customerExternalId": f"u{n}"}
        return await timed(track.post("/track/lead", body))

    answers = await asyncio.gather(*(lead(n) for n in range(20)))
    for response, _ in answers:
        assert_unavailable(response)
    assert max(took for _, took in answers) < ANSWER_WITHIN["stalled"]
    await pg_proxy.restore()
    await running.recovered()
    assert await track.rows("SELECT id FROM leads") == []
