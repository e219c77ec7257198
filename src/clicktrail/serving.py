"""uvicorn as clicktrail runs it: with the clocks on slow clients that uvicorn lacks.

uvicorn closes a keep-alive connection idle between requests, but once a byte has come it waits
for the rest of the request for ever: 200 clients sending a byte every few seconds held 200
connections open indefinitely. Here a request's headers and its body each have a deadline
(`CLICKTRAIL_HEADER_TIMEOUT`, `CLICKTRAIL_BODY_TIMEOUT`), after which the client gets 408 and
the connection is closed; headers past HEADER_LIMIT get 431; and past
`CLICKTRAIL_CONNECTION_LIMIT` open connections a request is answered 503 in Dub's envelope.

The protocol extends uvicorn's httptools one through its parser callbacks and per-request state
(`cycle`, `flow`), which are not a public interface: `tests/isolation/test_slow_clients.py`
fails if an upgrade of uvicorn changes them."""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Literal

import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from clicktrail.api.handlers import render
from clicktrail.config import Settings
from clicktrail.errors import ServiceUnavailable, envelope
from clicktrail.kit import jsontext

APP = "clicktrail.app:create_app"
OVERLOADED = "Too many open connections. Please retry in a few seconds."
# Bytes a request's line and headers may take. uvicorn's httptools protocol sets no limit: 8 MB
# of headers were read into memory. (h11's default is 16 KiB, nginx's 32 KiB.)
HEADER_LIMIT = 64 * 1024
# Seconds a refused client's further bytes are read and dropped before the connection closes:
# closing on unread bytes resets the connection, and the client may lose the answer.
LINGER = 2.0

Phase = Literal["headers", "body"]


def run(host: str, port: int, *, workers: int = 1, app: str = APP) -> None:
    """Serve `app` (an app factory's import path) on host:port."""
    uvicorn.run(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,  # we read X-Forwarded-For ourselves, only from trusted proxies
        http=BoundedHttpProtocol,
    )


@functools.cache
def _settings() -> Settings:
    # Each server process reads the environment once, as `create_app()` does.
    return Settings()


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's headers and on its body.

    One clock per connection, running only while the connection waits for the client in the
    middle of a request: the header clock from the connection's start, or from the first byte of
    a later request, to the end of the headers; the body clock from there to the end of the body.
    A request that arrives in one read arms no clock. While uvicorn has stopped reading (its
    buffer is full, or a pipelined request waits), the client is not the slow one and the clock
    starts over."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = _settings()
        self.timeouts = {"headers": settings.header_timeout, "body": settings.body_timeout}
        self.connection_limit = settings.connection_limit
        self.limit_concurrency = None  # uvicorn's own check answers in plain text; ours below
        self._served_app = self.app
        self._phase: Phase | None = "headers"  # None between requests, or once the body is in
        self._head_bytes = 0
        self._clock: asyncio.TimerHandle | None = None
        self._clock_for: Phase | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._start_clock()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        if self._phase == "headers":
            # Bytes of reads that did not end the headers: a cap on them, give or take the
            # last read, without counting a body.
            self._head_bytes += len(data)
            if self._head_bytes > HEADER_LIMIT:
                message = f"Request headers too large: the limit is {HEADER_LIMIT} bytes."
                self._refuse(b"431 Request Header Fields Too Large", "headers_too_large", message)
                return
        if self._phase != self._clock_for and not self.transport.is_closing():
            self._start_clock()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._phase, self._head_bytes = "headers", 0

    def on_headers_complete(self) -> None:
        self._phase = "body"
        overloaded = len(self.connections) > self.connection_limit
        self.app = _overloaded if overloaded else self._served_app
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._phase = None
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def _start_clock(self) -> None:
        self._stop_clock()
        if self._phase is not None:
            self._clock = self.loop.call_later(self.timeouts[self._phase], self._fire)
            self._clock_for = self._phase

    def _stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.cancel()
        self._clock = self._clock_for = None

    def _fire(self) -> None:
        phase, self._clock = self._clock_for, None
        if self.transport.is_closing() or phase != self._phase:
            return
        if self.flow.read_paused:
            self._start_clock()
        elif phase == "headers":
            self._headers_late()
        else:
            self._body_late()

    def _headers_late(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # an answer is under way: close after it
            return
        self._timed_out(f"headers must arrive within {self.timeouts['headers']:g} seconds")

    def _body_late(self) -> None:
        cycle = self.cycle
        cycle.keep_alive = False
        if cycle.response_started:  # answered already; the client still trickles the body
            self.transport.close()
            return
        cycle.disconnected = True  # the app's reads end, and what it sends is dropped
        cycle.message_event.set()
        self._timed_out(f"its body must arrive within {self.timeouts['body']:g} seconds")

    def _timed_out(self, rule: str) -> None:
        self._refuse(b"408 Request Timeout", "request_timeout", f"Request timed out: {rule}.")

    def _refuse(self, status: bytes, code: str, message: str) -> None:
        """Answers in Dub's envelope, from here rather than the app (no request reached it), and
        closes the connection. Only closes it while an earlier request's answer is being sent."""
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            self.transport.close()
            return
        body = jsontext.dumps(envelope(code, message)).encode()
        head = (
            b"HTTP/1.1 %s\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n" % (status, len(body))
        )
        self.transport.write(head + body)
        self._stop_clock()
        self._refused = True
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.loop.call_later(LINGER, self.transport.close)


async def _overloaded(scope: Scope, receive: Receive, send: Send) -> None:
    error = ServiceUnavailable(OVERLOADED, headers={"Connection": "close"})
    await render(error)(scope, receive, send)
