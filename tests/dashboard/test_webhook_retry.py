"""A delivery that failed for good is sent again from its log page, by an owner, and arrives."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from clicktrail.config import Settings
from tests.conftest import settings_for
from tests.dashboard.helpers import Visitor
from tests.support import Tenant
from tests.tracking.helpers import Tracker
from tests.webhooks.receiver import FAST, Answer, Receiver, listening

BASE = "/dashboard/acme/webhooks"


@pytest.fixture
def settings(database_url: str) -> Settings:
    # deliveries fail for good half a second after their first attempt
    return settings_for(database_url, **FAST, webhook_retry_window=0.5)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with listening() as found:
        yield found


@pytest.fixture
def track(client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings) -> Tracker:
    return Tracker(client, tenant, app_settings)


async def _log_until(owner: Visitor, hook_id: str, status: str) -> str:
    """The log page once its latest attempt (the last row) has `status`."""
    for _ in range(200):
        page = (await owner.page(f"{BASE}/{hook_id}")).text
        statuses = re.findall(r"<td>(delivered|failed|pending|retrying)</td>", page)
        if statuses and statuses[-1] == status:
            return page
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {status} attempt in the log")


async def test_an_owner_retries_a_failed_delivery_and_it_arrives(
    owner: Visitor, track: Tracker, receiver: Receiver
) -> None:
    receiver.usual = Answer(503)
    made = await owner.submit(BASE, BASE, name="CRM", url=receiver.url,
                              **{"trigger:link.created": "1"})  # fmt: skip
    assert made.status_code == 200, made.text
    (hook_id,) = re.findall(r'href="/dashboard/acme/webhooks/(wh_[A-Za-z0-9]+)"', made.text)
    await track.link()
    failed = await _log_until(owner, hook_id, "failed")
    assert await receiver.quiet(0.3) == []
    tries = len(receiver.requests)
    (retry, *_) = re.findall(r'action="([^"]+/deliveries/[^"]+/retry)"', failed)

    receiver.usual = Answer(200)
    answer = await owner.submit(f"{BASE}/{hook_id}", retry)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{BASE}/{hook_id}"
    arrived = await receiver.wait_for(tries + 1)
    assert (arrived[-1].event_id, arrived[-1].body) == (arrived[0].event_id, arrived[0].body)
    delivered = await _log_until(owner, hook_id, "delivered")
    assert "<td>200</td>" in delivered
