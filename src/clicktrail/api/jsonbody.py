"""Request bodies with `NaN`, `Infinity` or `-Infinity` get 400, as other invalid JSON does.

Checked once, here, for every route: FastAPI reads bodies with Python's lenient parser, which
accepts the three tokens, and a route's schema may let them through (`metadata` takes any JSON).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clicktrail.api.handlers import render
from clicktrail.errors import INVALID_JSON, BadRequest
from clicktrail.kit.jsontext import has_non_finite

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class StrictJson:
    """ASGI wrapper: reads the body (the app reads all of it before it acts anyway), answers 400
    if it is JSON only with a non-finite number, else hands the same messages on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        messages = await _read_body(receive)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if has_non_finite(body):
            await render(BadRequest(INVALID_JSON))(scope, receive, send)
            return
        await self.app(scope, _replay(messages, receive), send)


async def _read_body(receive: Receive) -> list[Message]:
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
