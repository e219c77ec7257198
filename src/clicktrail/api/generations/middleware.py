"""The edge that shapes answers for the SDK generation calling (table.py): endpoints answer in
Dub's current shape, and this ASGI middleware rearranges the few answers an older generation
reads differently. Anything else, and every client without an SDK user agent, passes through
untouched, byte for byte."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clicktrail.api.generations import shapes
from clicktrail.api.generations.table import Shape, shape_for

Reshape = Callable[[Any, dict[str, Any], Shape], tuple[int, Any]]


def _lead(answer: Any, request: dict[str, Any], shape: Shape) -> tuple[int, Any]:
    return 200, shapes.flat_lead(answer, request) if shape.flat_track else answer


def _sale(answer: Any, request: dict[str, Any], shape: Shape) -> tuple[int, Any]:
    if shapes.is_no_sale(answer):
        if shape.unknown_customer_not_found:
            return 404, shapes.unknown_customer(request)
        return 200, answer
    return 200, shapes.flat_sale(answer) if shape.flat_track else answer


def _events(answer: Any, _request: dict[str, Any], shape: Shape) -> tuple[int, Any]:
    return 200, shapes.events(answer, shape)


def _countries(answer: Any, _request: dict[str, Any], _shape: Shape) -> tuple[int, Any]:
    return 200, shapes.known_countries(answer)


BY_COUNTRY = frozenset({"countries", "cities"})


def _reshaper(scope: Scope, shape: Shape) -> Reshape | None:
    """The reshaping this request's answer needs for `shape`, if any."""
    method, path = scope["method"], scope["path"]
    if method == "GET" and path == "/analytics" and shape.country_codes_only:
        group_by = QueryParams(scope["query_string"]).get("groupBy")
        return _countries if group_by in BY_COUNTRY else None
    if method == "POST" and path == "/track/lead" and shape.flat_track:
        return _lead
    reshapes_sale = shape.flat_track or shape.unknown_customer_not_found
    if method == "POST" and path == "/track/sale" and reshapes_sale:
        return _sale
    reshapes_events = (
        bool(shape.link_strings or shape.customer_strings) or shape.strict_events is not None
    )
    if method == "GET" and path == "/events" and reshapes_events:
        return _events
    return None


class GenerationShapes:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        shape = shape_for(Headers(scope=scope).get("user-agent"))
        reshape = None if shape.current else _reshaper(scope, shape)
        if reshape is None:
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(receive, send)
        await self.app(scope, exchange.receive, exchange.send)
        await exchange.finish(reshape, shape)


class _Exchange:
    """Keeps a copy of the request body and holds the response back until it is complete."""

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive, self._send = receive, send
        self.request = bytearray()
        self.start: Message | None = None
        self.body = bytearray()

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.request += message.get("body", b"")
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
        else:  # pragma: no cover - trailers and the like: nothing of ours sends them
            await self._send(message)

    async def finish(self, reshape: Reshape, shape: Shape) -> None:
        if self.start is None:
            return  # the app sent nothing (the client went away)
        status, body = self.start["status"], bytes(self.body)
        if status == 200:
            status, body = _reshaped(reshape, body, bytes(self.request), shape)
        headers = MutableHeaders(raw=list(self.start.get("headers", [])))
        headers["content-length"] = str(len(body))
        await self._send({**self.start, "status": status, "headers": headers.raw})
        await self._send({"type": "http.response.body", "body": body})


def _reshaped(reshape: Reshape, body: bytes, request: bytes, shape: Shape) -> tuple[int, bytes]:
    status, answer = reshape(json.loads(body), _json_object(request), shape)
    return status, _dumps(answer)


def _json_object(raw: bytes) -> dict[str, Any]:
    """The request body, as far as the reshaping reads it (it was valid JSON: it got a 200)."""
    try:
        found = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _dumps(answer: Any) -> bytes:
    """As Starlette's JSONResponse writes JSON."""
    text = json.dumps(answer, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")
