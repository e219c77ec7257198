"""An event is written in the transaction of what causes it: a request that fails after the
event was written leaves no event, no delivery, and sends nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from clicktrail.errors import Conflict
from clicktrail.models import WebhookEvent
from clicktrail.tracking.repository import TrackingRepository
from clicktrail.webhooks import outbox
from tests.tracking.helpers import Tracker
from tests.webhooks.helpers import Hooks
from tests.webhooks.receiver import Receiver

LATE = "a step after the event was written failed"


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many events each outbox write left in its (still open) transaction."""
    counts: list[int] = []
    enqueue = outbox.enqueue

    async def spy(
        executor: outbox.Executor, events: Sequence[outbox.Event], targets: dict[str, list[str]]
    ) -> None:
        await enqueue(executor, events, targets)
        counts.append(await executor.scalar(select(func.count()).select_from(WebhookEvent)) or 0)

    monkeypatch.setattr(outbox, "enqueue", spy)
    return counts


def fail(*_: Any, **__: Any) -> NoReturn:
    raise Conflict(LATE)


async def fail_async(*_: Any, **__: Any) -> NoReturn:
    raise Conflict(LATE)


async def nothing_stored_or_sent(track: Tracker, receiver: Receiver) -> None:
    for table in ("webhook_events", "webhook_deliveries", "webhook_attempts"):
        assert await track.rows(f"SELECT * FROM {table}") == []  # noqa: S608 - our table names
    assert await receiver.quiet(0.5) == []


async def test_a_link_whose_request_fails_is_never_announced(
    receiver: Receiver, hooks: Hooks, track: Tracker, written: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await hooks.create(receiver.url, "link.created")
    with monkeypatch.context() as patch:
        patch.setattr("clicktrail.links.service.after_commit", fail)  # runs after the event
        failed = await track.post("/links", {"url": "https://example.com", "key": "lost"})
    assert failed.status_code == 409, failed.text
    assert written == [1]
    assert await track.rows("SELECT id FROM links") == []
    await nothing_stored_or_sent(track, receiver)

    kept = await track.link(key="kept")  # and the next request is announced as usual
    [request] = await receiver.wait_for(1)
    assert request.json()["data"]["id"] == kept["id"]


async def test_a_lead_whose_request_fails_is_never_announced(
    receiver: Receiver, hooks: Hooks, track: Tracker, written: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    link = await track.link()
    click_id = await track.click(link)
    await hooks.create(receiver.url, "lead.created")
    monkeypatch.setattr("clicktrail.tracking.responses.lead_created", fail)
    failed = await track.post(
        "/track/lead", {"clickId": click_id, "eventName": "Sign up", "customerExternalId": "u1"}
    )
    assert failed.status_code == 409, failed.text
    assert written == [1]
    assert await track.rows("SELECT id FROM leads") == []
    assert (await track.counters(link))["leads"] == 0
    await nothing_stored_or_sent(track, receiver)


async def test_a_sale_whose_request_fails_is_never_announced(
    receiver: Receiver, hooks: Hooks, track: Tracker, written: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    link = await track.link()
    click_id = await track.click(link)
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    await hooks.create(receiver.url, "sale.created")
    monkeypatch.setattr(TrackingRepository, "settle_invoice", fail_async)  # after the sale
    failed = await track.post(
        "/track/sale", {"customerExternalId": "u1", "amount": 4900, "invoiceId": "in_1"}
    )
    assert failed.status_code == 409, failed.text
    assert written == [1]
    assert await track.rows("SELECT id FROM sales") == []
    assert (await track.counters(link))["sales"] == 0
    await nothing_stored_or_sent(track, receiver)


async def test_a_click_whose_batch_fails_is_never_announced(
    receiver: Receiver, hooks: Hooks, track: Tracker, written: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    link = await track.link(key="spring")
    await hooks.create(receiver.url, "link.clicked")
    spy = outbox.enqueue

    async def then_fail(*args: Any) -> NoReturn:  # the last step of the click's transaction
        await spy(*args)
        raise RuntimeError(LATE)

    monkeypatch.setattr(outbox, "enqueue", then_fail)
    visit = await track.client.get("/spring", headers={"User-Agent": "Mozilla/5.0 (X11) lost"})
    assert visit.status_code == 302  # the visitor still gets there, without a click id
    assert "dub_id" not in parse_qs(urlsplit(visit.headers["location"]).query)
    assert written == [1]
    assert await track.rows("SELECT id FROM clicks") == []
    assert (await track.counters(link))["clicks"] == 0
    await nothing_stored_or_sent(track, receiver)
