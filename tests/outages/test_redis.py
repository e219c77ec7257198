"""Redis cut off: rate-limited requests are let through or refused with 503, as
CLICKTRAIL_RATE_LIMIT_ON_REDIS_FAILURE says; no tracked event is lost or counted twice; link
changes still reach this host's cache; and all of it resumes when Redis is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from redis.asyncio import Redis

from clicktrail.storage.epoch import channel_of
from tests.conftest import BROWSER_UA, settings_for
from tests.outages.conftest import REDIS_PORT
from tests.outages.helpers import Site, assert_unavailable, execute, site, through
from tests.outages.proxy import Proxy
from tests.support import Tenant, make_tenant

FREE_PLAN_PER_MINUTE = 60
LIMITER_AWAY = "Rate limiting is unavailable, so requests are refused for now. Please retry."


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """Redis itself, past the proxy: another host's view of it."""
    client = Redis(port=REDIS_PORT)
    yield client
    await client.aclose()


@pytest.fixture
async def running(database_url: str, redis_proxy: Proxy, on_failure: str) -> AsyncIterator[Site]:
    redis_url = through(redis_proxy, f"redis://127.0.0.1:{REDIS_PORT}/0")
    async with site(
        settings_for(database_url),
        redis_url=redis_url,
        rate_limit_on_redis_failure=on_failure,
    ) as found:
        yield found


@pytest.fixture
def on_failure() -> str:
    return "open"


async def spend(http: httpx.AsyncClient, tenant: Tenant, count: int) -> list[int]:
    """The statuses of `count` rate-limited requests, one after another."""
    return [(await http.get("/links", headers=tenant.auth)).status_code for _ in range(count)]


async def until(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 - another process
            await asyncio.sleep(0.05)


async def health_says(running: Site, redis: str) -> bool:
    return bool((await running.health()).json()["redis"] == redis)


async def test_open_lets_requests_through_unmetered_while_redis_is_cut(
    running: Site, redis_proxy: Proxy
) -> None:
    free = await make_tenant(running.direct, "freebie", plan="free")
    track = running.track
    link = await track.link(key="spring")
    lead = {"clickId": await track.click(link), "eventName": "Sign up", "customerExternalId": "u1"}
    await redis_proxy.cut()
    assert set(await spend(running.http, free, FREE_PLAN_PER_MINUTE + 5)) == {200}
    assert (await track.lead(**lead))["link"]["id"] == link["id"]
    health = await running.health()
    assert health.status_code == 200
    assert (health.json()["status"], health.json()["redis"]) == ("degraded", "down")
    await redis_proxy.restore()
    await until(lambda: health_says(running, "ok"))
    # Metered again, from a fresh budget: the requests of the outage were never counted.
    statuses = await spend(running.http, free, FREE_PLAN_PER_MINUTE + 1)
    assert statuses == [200] * FREE_PLAN_PER_MINUTE + [429]
    assert (await track.lead(**lead))["link"] is None  # the lead of the outage: stored once
    assert len(await track.rows("SELECT id FROM leads")) == 1
    assert (await track.counters(link))["leads"] == 1


@pytest.mark.parametrize("on_failure", ["closed"])
async def test_closed_refuses_requests_while_redis_is_cut(
    running: Site, redis_proxy: Proxy
) -> None:
    track = running.track
    link = await track.link(key="spring")
    lead = {"clickId": await track.click(link), "eventName": "Sign up", "customerExternalId": "u1"}
    await redis_proxy.cut()
    assert_unavailable(await track.post("/track/lead", lead), LIMITER_AWAY)
    visit = await running.http.get("/spring", headers={"User-Agent": BROWSER_UA})
    assert visit.status_code == 302  # redirects are not rate-limited: Redis is not asked
    assert await track.rows("SELECT id FROM leads") == []
    await redis_proxy.restore()
    await until(lambda: health_says(running, "ok"))
    assert (await track.lead(**lead))["link"]["id"] == link["id"]
    assert (await track.lead(**lead))["link"] is None
    assert len(await track.rows("SELECT id FROM leads")) == 1
    assert (await track.counters(link))["leads"] == 1


async def test_link_changes_reach_the_cache_during_and_after_a_redis_cut(
    running: Site, redis_proxy: Proxy, redis: Redis
) -> None:
    link = await running.track.link(key="spring", url="https://example.com/v1")
    assert (await visit(running)).endswith("/v1")
    await redis_proxy.cut()
    # This host's workers learn of a change by the shared file, whatever Redis does.
    edited = await running.http.patch(
        f"/links/{link['id']}", json={"url": "https://example.com/v2"}, headers=running.tenant.auth
    )
    assert edited.status_code == 200, edited.text
    assert (await visit(running)).endswith("/v2")
    # Another host's change cannot be announced: cut off, the server drops its cache often.
    await execute(running.direct, "UPDATE links SET url = 'https://example.com/v3'")
    await until(lambda: visit_ends_with(running, "/v3"), within=5)
    await redis_proxy.restore()
    channel = channel_of(running.direct.database_url)
    await until(lambda: subscribed(redis, channel))
    assert (await visit(running)).endswith("/v3")  # cached again
    # Another host changes the link and says so on the channel: this server hears it again.
    await execute(running.direct, "UPDATE links SET url = 'https://example.com/v4'")
    assert (await visit(running)).endswith("/v3")
    assert await redis.publish(channel, "another host") == 1
    await until(lambda: visit_ends_with(running, "/v4"), within=5)


async def visit(running: Site) -> str:
    running.http.cookies.clear()
    response = await running.http.get("/spring", headers={"User-Agent": BROWSER_UA})
    assert response.status_code == 302, response.text
    return str(httpx.URL(response.headers["location"]).copy_with(query=None))


async def visit_ends_with(running: Site, suffix: str) -> bool:
    return (await visit(running)).endswith(suffix)


async def subscribed(redis: Redis, channel: str) -> bool:
    found: list[tuple[bytes | str, int]] = await redis.pubsub_numsub(channel)
    return found[0][1] > 0
