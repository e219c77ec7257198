"""Plans and request budgets (spec §1.1, §5.3)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest

from clicktrail.app import Root, create_app
from tests.support import Tenant, make_tenant
from tests.tracking.helpers import Tracker, assert_error

REDIS = os.environ.get("CLICKTRAIL_TEST_REDIS_URL")
TRACK = {"clickId": "x", "eventName": "e", "customerExternalId": "u"}


@pytest.mark.parametrize("plan", ["free", "pro"])
@pytest.mark.parametrize("path", ["/track/lead", "/track/sale", "/track/customer"])
async def test_tracking_needs_a_business_plan(track: Tracker, plan: str, path: str) -> None:
    small = await make_tenant(track.settings, f"small-{plan}", plan=plan)
    response = await track.post(path, {**TRACK, "amount": 1, "customerId": "u"}, tenant=small)
    assert_error(response, 403, "forbidden", "Unauthorized: Need higher plan.")


@pytest.mark.parametrize("plan", ["advanced", "enterprise"])
async def test_higher_plans_may_track(track: Tracker, plan: str) -> None:
    big = await make_tenant(track.settings, f"big-{plan}", plan=plan)
    response = await track.post("/track/customer", {"customerId": "c"}, tenant=big)
    assert response.status_code == 200


async def spend(client: httpx.AsyncClient, tenant: Tenant, times: int) -> list[httpx.Response]:
    return [await client.get("/links/count", headers=tenant.auth) for _ in range(times)]


async def test_a_free_key_gets_60_requests_a_minute(track: Tracker) -> None:
    free = await make_tenant(track.settings, "free-one", plan="free")
    answers = await spend(track.client, free, 61)
    assert [r.status_code for r in answers[:60]] == [200] * 60
    refused = answers[60]
    assert_error(refused, 429, "rate_limit_exceeded", "Too many requests.")
    assert refused.headers["X-RateLimit-Limit"] == "60"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["X-RateLimit-Reset"]) > 1_700_000_000_000  # epoch milliseconds
    assert refused.headers["Retry-After"] == refused.headers["X-RateLimit-Reset"]
    other = await make_tenant(track.settings, "free-two", plan="free")
    assert (await spend(track.client, other, 1))[0].status_code == 200  # budgets are per key


@pytest.fixture
async def second_worker(app: Root) -> AsyncIterator[httpx.AsyncClient]:
    """Another app on the same database and Redis: a worker of the same deployment."""
    root = create_app(app.api.state.runtime.settings)
    async with root.api.router.lifespan_context(root.api):
        transport = httpx.ASGITransport(app=root)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
            yield c


async def test_workers_share_one_budget_through_redis(
    track: Tracker, second_worker: httpx.AsyncClient
) -> None:
    if not REDIS:
        pytest.skip("set CLICKTRAIL_TEST_REDIS_URL to run with Redis")
    free = await make_tenant(track.settings, "shared", plan="free")
    first = await spend(track.client, free, 30)
    second = await spend(second_worker, free, 31)
    statuses = [r.status_code for r in first + second]
    assert statuses == [200] * 60 + [429]
