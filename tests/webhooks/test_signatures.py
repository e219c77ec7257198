"""Every delivery is signed as Dub signs (Dub-Signature) and as Standard Webhooks sign; the
README's `verify` and the standardwebhooks package both accept it, and refuse forgeries."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tests.tracking.helpers import Tracker
from tests.webhooks.helpers import Hooks, Json
from tests.webhooks.receiver import Answer, Received, Receiver

README = Path(__file__).resolve().parents[2] / "README.md"
Verify = Callable[..., bool]


def readme_verify(clock: Callable[[], float] = time.time) -> Verify:
    """The README's `verify`, compiled from its code block, reading the time from `clock`."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    [code] = [block for block in blocks if "def verify(" in block]
    namespace: dict[str, Any] = {}
    exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - the README's own code
    namespace["time"] = SimpleNamespace(time=clock)
    verify: Verify = namespace["verify"]
    return verify


async def delivered(receiver: Receiver, hooks: Hooks, track: Tracker) -> tuple[Json, Received]:
    webhook = await hooks.create(receiver.url, "link.created")
    await track.link()
    [request] = await receiver.wait_for(1)
    return webhook, request


async def test_dub_signature_is_the_hex_hmac_of_the_exact_body(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    webhook, request = await delivered(receiver, hooks, track)
    expected = hmac.new(webhook["secret"].encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["dub-signature"] == expected
    assert request.method == "POST"
    assert request.path == "/hooks"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == request.event_id
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 30
    [stored] = await track.rows("SELECT body FROM webhook_events")
    assert request.body == stored["body"].encode()  # what was written is what was signed


async def test_the_readme_verify_accepts_a_delivery_and_refuses_forgeries(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    webhook, request = await delivered(receiver, hooks, track)
    secret, headers, body = webhook["secret"], request.headers, request.body
    verify = readme_verify()
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body.replace(b'"link.created"', b'"link.deleted"'))
    assert not verify(secret, headers, body + b" ")
    assert not verify(secret, headers | {"webhook-id": "evt_someotherevent0000000000"}, body)
    fresh = headers | {"webhook-timestamp": str(int(time.time()) + 1)}
    assert not verify(secret, fresh, body)  # the timestamp is signed: it cannot be renewed
    other = await hooks.create(receiver.url, "link.created")
    assert not verify(other["secret"], headers, body)
    later = time.time() + 301  # the same genuine delivery, replayed five minutes later
    assert not readme_verify(lambda: later)(secret, headers, body)
    assert readme_verify(lambda: later - 2)(secret, headers, body)


async def test_the_standardwebhooks_package_accepts_a_delivery_and_refuses_forgeries(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    webhook, request = await delivered(receiver, hooks, track)
    verifier = Webhook(webhook["secret"])
    assert verifier.verify(request.body, request.headers) == request.json()
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verifier.verify(request.body.replace(b'"event"', b'"evnt"'), request.headers)
    fresh = request.headers | {"webhook-timestamp": str(int(time.time()) + 1)}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verifier.verify(request.body, fresh)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook((await hooks.create(receiver.url))["secret"]).verify(request.body, request.headers)
    old = datetime.fromtimestamp(time.time() - 600, UTC)
    signature = verifier.sign(request.event_id, old, request.body.decode())
    replayed = request.headers | {
        "webhook-timestamp": str(int(old.timestamp())), "webhook-signature": signature
    }  # fmt: skip
    with pytest.raises(WebhookVerificationError, match="too old"):
        verifier.verify(request.body, replayed)


async def test_every_retry_is_signed_again(
    receiver: Receiver, hooks: Hooks, track: Tracker
) -> None:
    receiver.script(Answer(status=503), Answer(status=503))
    webhook, _ = await delivered(receiver, hooks, track)
    requests = await receiver.wait_for(3)
    verifier = Webhook(webhook["secret"])
    for request in requests:
        assert verifier.verify(request.body, request.headers) == requests[0].json()
        assert readme_verify()(webhook["secret"], request.headers, request.body)
    assert len({r.body for r in requests}) == 1
