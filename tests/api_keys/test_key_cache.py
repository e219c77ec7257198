"""Each worker remembers API keys; revoking a key or changing a workspace reaches every worker's
next request. A second app on the same database stands for another worker process, a message on
the Redis channel for a worker on another host."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import delete, event

from clicktrail import admin
from clicktrail.api_keys import cache
from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.errors import UnprocessableEntity
from clicktrail.models import APIKey
from clicktrail.storage.epoch import channel_of
from tests.redirect.helpers import execute, worker
from tests.support import Tenant, fetch, make_tenant

REDIS_URL = os.environ.get("CLICKTRAIL_TEST_REDIS_URL")
INVALID = "Unauthorized: Invalid API key."


@pytest.fixture
async def other_worker(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with worker(settings) as c:
        yield c


async def key_id(settings: Settings, tenant: Tenant) -> str:
    rows = await fetch(
        settings, "SELECT id FROM api_keys WHERE workspace_id = :ws", ws=tenant.workspace_id
    )
    return str(rows[0]["id"])


async def revoke(settings: Settings, tenant: Tenant) -> None:
    """What `clicktrail key revoke` does: another process, as an operator's would be."""
    found = await key_id(settings, tenant)
    await admin.run(settings, lambda ctx: admin.revoke_key(ctx, tenant.slug, found))


async def status_of(client: httpx.AsyncClient, tenant: Tenant) -> int:
    return (await client.get("/links/count", headers=tenant.auth)).status_code


async def assert_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get("/links/count", headers=tenant.auth)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["message"] == INVALID


async def test_a_known_key_is_not_read_again(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    assert await status_of(client, tenant) == 200
    # deleted behind the server's back: no epoch bump, so the worker still knows the key
    await execute(settings, delete(APIKey))
    assert await status_of(client, tenant) == 200


async def test_a_revoked_key_is_refused_at_once_on_this_worker(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    assert await status_of(client, tenant) == 200
    await revoke(settings, tenant)
    await assert_refused(client, tenant)


async def test_a_revoked_key_is_refused_at_once_on_another_worker(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, other_worker: httpx.AsyncClient
) -> None:
    assert await status_of(other_worker, tenant) == 200
    assert await status_of(client, tenant) == 200
    await revoke(settings, tenant)
    await assert_refused(other_worker, tenant)
    await assert_refused(client, tenant)


async def test_revoking_one_key_keeps_the_others(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, settings: Settings
) -> None:
    assert await status_of(client, other_tenant) == 200
    await revoke(settings, tenant)
    assert await status_of(client, other_tenant) == 200


async def test_a_revoke_announced_by_another_host_through_redis(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    if not REDIS_URL:
        pytest.skip("set CLICKTRAIL_TEST_REDIS_URL to run with Redis")
    assert await status_of(client, tenant) == 200
    await execute(settings, delete(APIKey))  # no bump on this host
    redis = Redis.from_url(REDIS_URL)
    try:
        assert await redis.publish(channel_of(settings.database_url), "another host") >= 1
    finally:
        await redis.aclose()
    for _ in range(50):
        if await status_of(client, tenant) == 401:
            return
        await asyncio.sleep(0.1)
    pytest.fail("the other host's notice did not drop the remembered key")


async def test_an_unannounced_revoke_is_seen_after_max_age(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await status_of(client, tenant) == 200
    await execute(settings, delete(APIKey))
    monkeypatch.setattr(cache, "MAX_AGE_SECONDS", 0.05)
    await asyncio.sleep(0.1)
    await assert_refused(client, tenant)


async def test_a_plan_change_reaches_every_worker(
    app: Root, client: httpx.AsyncClient, settings: Settings, other_worker: httpx.AsyncClient
) -> None:
    small = await make_tenant(settings, "small", plan="pro")
    body = {"customerExternalId": "c-1", "customerId": "c-1"}
    for each in (client, other_worker):
        refused = await each.post("/track/customer", json=body, headers=small.auth)
        assert refused.status_code == 403, refused.text
    await admin.run(settings, lambda ctx: admin.change_plan(ctx, "small", "business"))
    for each in (client, other_worker):
        allowed = await each.post("/track/customer", json=body, headers=small.auth)
        assert allowed.status_code == 200, allowed.text


async def test_an_unknown_plan_is_refused(settings: Settings, tenant: Tenant) -> None:
    with pytest.raises(UnprocessableEntity, match="Invalid plan 'gold'"):
        await admin.run(settings, lambda ctx: admin.change_plan(ctx, tenant.slug, "gold"))


async def test_concurrent_first_requests_with_a_key_read_it_once(
    app: Root, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    reads: list[str] = []

    @event.listens_for(app.api.state.runtime.db.reader.sync_engine, "before_cursor_execute")
    def _seen(_c: object, _cur: object, statement: str, *_args: object) -> None:
        if "FROM api_keys" in statement:
            reads.append(statement)

    answers = await asyncio.gather(*(status_of(client, tenant) for _ in range(20)))
    assert answers == [200] * 20
    assert len(reads) == 1
