"""A webhook receiver for tests: a real HTTP/1.1 server on 127.0.0.1, in the test's event loop.
It records every request (headers and exact body bytes) and answers as it is told to."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from tests.support import free_port


@dataclass(frozen=True, slots=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    at: float  # time.monotonic() when it had arrived

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        event_id: str = self.json()["id"]
        return event_id


@dataclass(frozen=True, slots=True)
class Answer:
    status: int = 200
    delay: float = 0.0  # seconds before the answer: longer than the timeout is no answer
    body: bytes = b"ok"


@dataclass
class Receiver:
    """Answers with the scripted answers first, then with `usual`."""

    port: int = field(default_factory=free_port)
    usual: Answer = field(default_factory=Answer)
    requests: list[Received] = field(default_factory=list)
    _script: deque[Answer] = field(default_factory=deque)
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def script(self, *answers: Answer) -> None:
        self._script.extend(answers)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def stop(self) -> None:
        """Stop listening, and drop the requests still waiting for their answer."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def wait_for(self, count: int, within: float = 15.0) -> list[Received]:
        """The first `count` requests, once they have arrived."""
        async with asyncio.timeout(within):
            while len(self.requests) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.requests[:count]

    async def quiet(self, seconds: float) -> list[Received]:
        """What arrives within `seconds`."""
        before = len(self.requests)
        await asyncio.sleep(seconds)
        return self.requests[before:]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            request = await _read(reader)
            self.requests.append(request)
            self._arrived.set()
            answer = self._script.popleft() if self._script else self.usual
            await asyncio.sleep(answer.delay)
            writer.write(_response(answer))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client gave up on us
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _read(reader: asyncio.StreamReader) -> Received:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *lines = head.removesuffix("\r\n\r\n").split("\r\n")
    method, path, _ = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, path, headers, body, time.monotonic())


def _response(answer: Answer) -> bytes:
    head = (
        f"HTTP/1.1 {answer.status} Whatever\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(answer.body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + answer.body


# Deliveries to a receiver on 127.0.0.1, retried within a fraction of a second.
FAST = {"webhook_allow_private": True, "webhook_retry_base": 0.05, "webhook_timeout": 1.0}


@contextlib.asynccontextmanager
async def listening() -> AsyncIterator[Receiver]:
    """A receiver on a free port, for as long as the block runs."""
    found = Receiver()
    await found.start()
    try:
        yield found
    finally:
        await found.stop()
