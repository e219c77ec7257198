"""Failed deliveries are retried with growing delays until delivered; each attempt is logged;
20 failures in a row disable the webhook; a delivery can be sent again by hand."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable

import pytest

from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.webhooks.dispatcher import Dispatcher
from tests.tracking.helpers import Json, Tracker, assert_error
from tests.webhooks.helpers import Hooks
from tests.webhooks.receiver import Answer, Receiver

MANUAL = pytest.mark.parametrize("overrides", [{"webhook_dispatcher": "external"}], ids=["manual"])


def last_is(status: str) -> Callable[[list[Json]], bool]:
    return lambda found: bool(found) and found[-1]["deliveryStatus"] == status


async def test_retried_after_errors_and_a_timeout_until_delivered(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    receiver.script(Answer(500, body=b"boom"), Answer(502), Answer(delay=1.5))  # timeout: 1 s
    webhook = await hooks.create(receiver.url, "link.created")
    await track.link()
    requests = await receiver.wait_for(4)
    assert len({r.event_id for r in requests}) == 1
    assert len({r.body for r in requests}) == 1
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(requests)]
    # at least half of base * 2^(n-1) after the n-th failure; the third waited out the timeout
    assert gaps[0] >= 0.025
    assert gaps[1] >= 0.05
    assert gaps[2] >= 1.0 + 0.1 - 0.05

    log = await hooks.attempts_until(webhook["id"], lambda found: len(found) == 4)
    shown = [(a["httpStatus"], a["response"], a["error"]) for a in log]
    assert shown == [
        (500, "boom", None), (502, "ok", None), (None, None, "no answer within 1 s"),
        (200, "ok", None),
    ]  # fmt: skip
    assert 1000 <= log[2]["durationMs"] < 5000
    assert all(0 <= a["durationMs"] < 1000 for a in (log[0], log[1], log[3]))
    assert {(a["deliveryId"], a["eventId"], a["event"], a["deliveryStatus"]) for a in log} == {
        (log[0]["deliveryId"], requests[0].event_id, "link.created", "delivered")
    }
    assert [a["attemptedAt"] for a in log] == sorted(a["attemptedAt"] for a in log)
    assert (await hooks.get(webhook["id"]))["consecutiveFailures"] == 0  # reset by the success
    assert await receiver.quiet(0.3) == []


@pytest.mark.parametrize("overrides", [{"webhook_retry_window": 0.5}], ids=["short-window"])
async def test_a_delivery_fails_when_its_window_is_over_and_can_be_sent_again(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    receiver.usual = Answer(503)
    webhook = await hooks.create(receiver.url, "link.created")
    await track.link()
    log = await hooks.attempts_until(webhook["id"], last_is("failed"))
    assert await receiver.quiet(0.5) == []
    assert len(log) == len(receiver.requests) >= 2
    assert {a["httpStatus"] for a in log} == {503}

    receiver.usual = Answer(200)
    path = f"/webhooks/{webhook['id']}/deliveries/{log[0]['deliveryId']}/retry"
    answer = await track.client.post(path, headers=track.tenant.auth)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "deliveryId": log[0]["deliveryId"], "eventId": log[0]["eventId"], "status": "pending"
    }  # fmt: skip
    again = await receiver.wait_for(len(log) + 1)
    assert again[-1].body == again[0].body
    log = await hooks.attempts_until(webhook["id"], last_is("delivered"))
    assert log[-1]["httpStatus"] == 200


async def test_a_delivered_event_can_be_sent_again(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    webhook = await hooks.create(receiver.url, "link.created")
    other = await hooks.create(receiver.url, "link.deleted")
    await track.link()
    [first] = await receiver.wait_for(1)
    [attempt] = await hooks.attempts_until(webhook["id"], last_is("delivered"))
    retry = f"/webhooks/{webhook['id']}/deliveries/{attempt['deliveryId']}/retry"
    assert (await track.client.post(retry, headers=track.tenant.auth)).status_code == 200
    [_, second] = await receiver.wait_for(2)
    assert (second.event_id, second.body) == (first.event_id, first.body)
    log = await hooks.attempts_until(webhook["id"], lambda found: len(found) == 2)
    assert [(a["httpStatus"], a["deliveryStatus"]) for a in log] == [(200, "delivered")] * 2

    for path in (
        f"/webhooks/{webhook['id']}/deliveries/whd_unknown/retry",
        f"/webhooks/{other['id']}/deliveries/{attempt['deliveryId']}/retry",  # not its delivery
    ):
        missing = await track.client.post(path, headers=track.tenant.auth)
        assert_error(missing, 404, "not_found", "Delivery not found.")
    assert await receiver.quiet(0.3) == []


@pytest.fixture
async def dispatcher(app: Root, settings: Settings) -> AsyncIterator[Dispatcher]:
    """The dispatcher, run by the test one round at a time (the app runs none)."""
    assert app.api.state.runtime.dispatcher is None
    found = Dispatcher(app.api.state.runtime.db, settings)
    yield found
    await found.close()


async def links(track: Tracker, count: int) -> list[Json]:
    return [await track.link() for _ in range(count)]


@MANUAL
async def test_twenty_failures_in_a_row_disable_the_webhook_until_it_is_resumed(
    receiver: Receiver, hooks: Hooks, track: Tracker, dispatcher: Dispatcher
) -> None:
    receiver.usual = Answer(500)
    webhook = await hooks.create(receiver.url, "link.created")
    await links(track, 20)
    assert await dispatcher.run_once() == 20
    disabled = await hooks.get(webhook["id"])
    assert disabled["consecutiveFailures"] == 20
    assert disabled["disabledAt"] is not None
    assert len(receiver.requests) == 20

    await track.link()  # not queued for a disabled webhook (as Dub: enabled webhooks only)
    assert len(await track.rows("SELECT id FROM webhook_deliveries")) == 20
    await asyncio.sleep(0.2)  # every retry is due by now
    assert await dispatcher.run_once() == 0
    assert len(receiver.requests) == 20

    receiver.usual = Answer(200)
    resumed = await hooks.patch(webhook["id"], disabled=False)
    assert (resumed["disabledAt"], resumed["consecutiveFailures"]) == (None, 0)
    assert await dispatcher.run_once() == 20
    failed, delivered = receiver.requests[:20], receiver.requests[20:]
    assert {r.event_id for r in delivered} == {r.event_id for r in failed}
    assert len(delivered) == 20
    rows = await track.rows("SELECT status, attempts FROM webhook_deliveries")
    assert {(r["status"], r["attempts"]) for r in rows} == {("delivered", 2)}
    assert (await hooks.get(webhook["id"]))["consecutiveFailures"] == 0


@MANUAL
async def test_a_success_breaks_a_run_of_failures(
    receiver: Receiver, hooks: Hooks, track: Tracker, dispatcher: Dispatcher
) -> None:
    receiver.usual = Answer(500)
    webhook = await hooks.create(receiver.url, "link.created")
    await links(track, 19)
    assert await dispatcher.run_once() == 19
    assert (await hooks.get(webhook["id"]))["consecutiveFailures"] == 19
    receiver.usual = Answer(200)
    await asyncio.sleep(0.2)
    assert await dispatcher.run_once() == 19
    assert (await hooks.get(webhook["id"]))["consecutiveFailures"] == 0
    receiver.usual = Answer(500)
    await links(track, 19)
    assert await dispatcher.run_once() == 19
    after = await hooks.get(webhook["id"])
    assert (after["consecutiveFailures"], after["disabledAt"]) == (19, None)  # 38, not 20 in a row


@MANUAL
async def test_a_stopping_dispatcher_finishes_the_delivery_in_flight(
    receiver: Receiver, hooks: Hooks, track: Tracker, dispatcher: Dispatcher
) -> None:
    receiver.usual = Answer(delay=0.5)
    webhook = await hooks.create(receiver.url, "link.created")
    await track.link()
    dispatcher.start()
    await receiver.wait_for(1)
    await dispatcher.close()  # while the receiver has not answered yet
    rows = await track.rows("SELECT status, attempts FROM webhook_deliveries")
    assert [(r["status"], r["attempts"]) for r in rows] == [("delivered", 1)]
    [attempt] = await hooks.attempts_until(webhook["id"], last_is("delivered"))
    assert attempt["httpStatus"] == 200
