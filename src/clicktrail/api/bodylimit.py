"""Request bodies over the limit get 413 before they are read into memory: at once when
`Content-Length` says so, and for a chunked body as soon as the bytes received pass the limit.

Dub's API has no error code for 413 (spec §6.2), so the envelope carries `payload_too_large`.
The SDKs choose their error class by status, and raise their generic API error for a 413."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clicktrail.errors import envelope

CODE = "payload_too_large"


class BodyTooLarge(Exception):
    """Raised to the app by `receive` once the body has passed the limit and 413 is sent."""


class BodyLimit:
    """ASGI wrapper: bodies of at most `limit` bytes pass; a larger one is answered 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.limit:
            await too_large(self.limit)(scope, receive, send)
            return
        guard = _Guard(self.limit, scope, receive, send)
        try:
            await self.app(scope, guard.receive, guard.send)
        except BodyTooLarge:
            if not guard.answered:
                raise


def too_large(limit: int) -> JSONResponse:
    message = f"Request body too large: the limit is {limit} bytes."
    return JSONResponse(envelope(CODE, message), status_code=413)


class _Guard:
    """Counts the bytes the app receives. Past the limit it answers 413 itself (the app may
    turn any failure to read the body into its own error), then drops what the app sends."""

    def __init__(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        self._limit, self._scope, self._receive, self._send = limit, scope, receive, send
        self._received = 0
        self._started = False
        self.answered = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                await self._refuse()
        return message

    async def send(self, message: Message) -> None:
        if self.answered:
            return
        if message["type"] == "http.response.start":
            self._started = True
        await self._send(message)

    async def _refuse(self) -> None:
        if not self._started:  # an app already answering keeps its status
            await too_large(self._limit)(self._scope, self._receive, self._send)
            self.answered = True
        raise BodyTooLarge


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.strip().isdigit():
        return None  # absent, or malformed (which the server itself refuses)
    return int(value)
