"""An unhandled exception costs its own request an answer, never the connection.

Starlette answers an exception with the 500 handler, then raises it on to the server, and
uvicorn closes a connection whose app raised once the answer has gone: the client's next request
on it was reset. Here the exception stops, and every 500 is logged with a request id that its
answer carries in `X-Request-Id`."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clicktrail.errors import INTERNAL, envelope

log = logging.getLogger("clicktrail")

HEADER = "X-Request-Id"
_STATE_KEY = "request_id"
_PROXY_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # a proxy's id is kept only if it looks like one


class ContainFaults:
    """ASGI wrapper, outermost: an exception before any answer is logged and answered 500; one
    after a complete answer is only logged; one in the middle of an answer is raised on, as
    closing the connection is the only way to end half an answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # shared with the copies of the scope made further in
        progress = _Progress(send)
        try:
            await self.app(scope, receive, progress.send)
        except Exception as exc:
            if progress.started and not progress.complete:
                raise
            log_fault(scope, exc)
            if not progress.started:
                await internal_error(scope)(scope, receive, send)


def request_id(scope: Scope) -> str:
    """This request's id: the one a proxy sent in `X-Request-Id` if well-formed, else a new one;
    made on first use (only failures need one), then the same for the request."""
    state: dict[str, Any] = scope.setdefault("state", {})
    found = state.get(_STATE_KEY)
    if found is None:
        sent = Headers(scope=scope).get(HEADER, "")
        found = state[_STATE_KEY] = sent if _PROXY_ID.fullmatch(sent) else uuid.uuid4().hex
    return str(found)


def log_fault(scope: Scope, exc: BaseException) -> None:
    log.error(
        "unhandled error on %s %s (request id %s)",
        scope.get("method"), scope.get("path"), request_id(scope), exc_info=exc,
    )  # fmt: skip


def internal_error(scope: Scope) -> JSONResponse:
    """Dub's 500 envelope, with the id under which the failure is logged."""
    return JSONResponse(
        envelope("internal_server_error", INTERNAL),
        status_code=500,
        headers={HEADER: request_id(scope)},
    )


class _Progress:
    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.complete = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            self.complete = True
        await self._send(message)
