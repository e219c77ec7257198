"""Webhook URLs may not reach the server's own network unless the operator allows it."""

from __future__ import annotations

import pytest

from tests.tracking.helpers import Tracker
from tests.webhooks.helpers import Hooks
from tests.webhooks.receiver import Receiver

REFUSED = "The webhook host {} resolves to a non-public address."


@pytest.mark.parametrize("overrides", [{"webhook_allow_private": False}], ids=["public-only"])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_deliveries_to_a_private_address_are_refused(
    host: str, receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    url = receiver.url.replace("127.0.0.1", host)
    webhook = await hooks.create(url, "link.created")  # accepted: the address is checked per send
    await track.link()
    first, *_ = await hooks.attempts_until(webhook["id"], lambda found: len(found) >= 1)
    assert first["httpStatus"] is None
    assert first["response"] is None
    assert first["error"] == REFUSED.format(host)
    assert first["deliveryStatus"] == "pending"  # refused now, tried again later
    assert await receiver.quiet(0.3) == []
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("overrides", "url", "error"),
    [
        ({}, "http://xn--.com/hook", "IDNAError: Malformed A-label"),
        ({"webhook_allow_private": False}, f"http://{'a' * 64}.com/hook", "UnicodeError: "),
    ],
    ids=["client-refuses", "resolver-refuses"],
)
async def test_a_host_that_cannot_be_encoded_is_a_counted_failure(
    url: str, error: str, hooks: Hooks, track: Tracker
) -> None:
    webhook = await hooks.create(url, "link.created")
    await track.link()
    log = await hooks.attempts_until(webhook["id"], lambda found: len(found) >= 2)
    assert all(a["error"].startswith(error) for a in log)
    assert {(a["httpStatus"], a["deliveryStatus"]) for a in log} == {(None, "pending")}
    assert (await hooks.get(webhook["id"]))["consecutiveFailures"] >= 2
