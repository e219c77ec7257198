"""A committed event is delivered even when the process that would send it is killed first:
after a restart of the server, or by `clicktrail worker` (with an external dispatcher)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from clicktrail.config import Settings
from tests.support import fetch, make_tenant
from tests.webhooks.processes import Process, rows_when, server, worker
from tests.webhooks.receiver import Answer, Receiver

ATTEMPTS = "SELECT id FROM webhook_attempts"
DELIVERED = "SELECT id FROM webhook_deliveries WHERE status = 'delivered'"


@asynccontextmanager
async def listening(receiver: Receiver) -> AsyncIterator[Receiver]:
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


async def link_created(process: Process, settings: Settings, receiver: Receiver) -> dict[str, Any]:
    """A webhook for link.created and a link, through the server's API; the stored event."""
    tenant = await make_tenant(settings, "acme")
    async with httpx.AsyncClient(base_url=process.url, headers=tenant.auth) as api:
        body = {"name": "crm", "url": receiver.url, "triggers": ["link.created"]}
        assert (await api.post("/webhooks", json=body)).status_code == 201
        link = await api.post("/links", json={"url": "https://example.com/spring"})
        assert link.status_code == 200, link.text
    [event] = await fetch(settings, "SELECT id, body FROM webhook_events")
    assert event["body"].startswith('{"id":"' + event["id"])
    assert link.json()["id"] in event["body"]
    return event


async def test_an_event_committed_before_a_crash_is_delivered_after_a_restart(
    settings: Settings,
) -> None:
    receiver = Receiver()  # not listening yet: every delivery fails to connect
    async with server(settings) as first:
        event = await link_created(first, settings, receiver)
        failed, *_ = await rows_when(settings, "SELECT error FROM webhook_attempts")
        assert "ConnectError" in failed["error"]
        first.kill()
    async with listening(receiver), server(settings):
        [request] = await receiver.wait_for(1)
        await rows_when(settings, DELIVERED)
    assert (request.event_id, request.headers["webhook-id"]) == (event["id"], event["id"])
    assert request.body == event["body"].encode()
    assert len(await fetch(settings, "SELECT id FROM webhook_events")) == 1


async def test_a_delivery_cut_off_by_a_crash_is_sent_again_once_its_lease_ends(
    settings: Settings,
) -> None:
    receiver = Receiver()
    receiver.script(Answer(delay=300))  # the first request is never answered
    async with listening(receiver):
        async with server(settings) as first:
            event = await link_created(first, settings, receiver)
            [cut] = await receiver.wait_for(1)
            first.kill()
        killed = time.monotonic()
        assert await fetch(settings, ATTEMPTS) == []  # the attempt died with its process
        async with server(settings):
            [_, again] = await receiver.wait_for(2, within=settings.webhook_timeout + 60)
            await rows_when(settings, DELIVERED)
    # claimed under a lease of webhook_timeout + 30 s, which had to run out first
    assert time.monotonic() - killed > 25
    assert cut.event_id == again.event_id == event["id"]
    assert cut.body == again.body
    [attempt] = await fetch(settings, "SELECT http_status FROM webhook_attempts")
    assert attempt["http_status"] == 200


@pytest.mark.parametrize("overrides", [{"webhook_dispatcher": "external"}], ids=["external"])
async def test_with_an_external_dispatcher_clicktrail_worker_delivers(
    settings: Settings,
) -> None:
    receiver = Receiver()
    async with server(settings) as first:
        event = await link_created(first, settings, receiver)
        await asyncio.sleep(1.0)
        assert await fetch(settings, ATTEMPTS) == []  # the server sends nothing itself
        first.kill()
    async with worker(settings) as doomed:  # the receiver is still down
        await rows_when(settings, ATTEMPTS)
        doomed.kill()
    async with listening(receiver), worker(settings):
        [request] = await receiver.wait_for(1)
        await rows_when(settings, DELIVERED)
    assert (request.event_id, request.body) == (event["id"], event["body"].encode())
