"""A lean HTTP/1.1 client for load generators: keep-alive connections to one server, h11 for
the protocol. httpx costs 3-5 ms of processor time per request on the bench machine (0.5 ms
for this one): a load generator built on it takes two of its cores' time from the server it
measures."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import h11

IDLE = 2.0  # seconds a connection may wait for reuse; uvicorn closes idle ones after 5


class Broken(Exception):
    """No answer: the connection failed, closed or timed out."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lower-cased; the last value of a repeated header
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.protocol = h11.Connection(h11.CLIENT)
        self.used = time.monotonic()

    def stale(self) -> bool:
        """Closed by either side, or idle long enough for the server to close it any moment."""
        ready = self.protocol.our_state is h11.IDLE and self.protocol.their_state is h11.IDLE
        return not ready or self.reader.at_eof() or time.monotonic() - self.used > IDLE

    async def exchange(self, request: h11.Request, body: bytes) -> Answer:
        for outgoing in (request, h11.Data(data=body), h11.EndOfMessage()):
            if data := self.protocol.send(outgoing):
                self.writer.write(data)
        head, chunks = None, []
        while True:
            event = self.protocol.next_event()
            if event is h11.NEED_DATA:
                self.protocol.receive_data(await self.reader.read(65536))
            elif isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage) and head is not None:
                if self.protocol.our_state is self.protocol.their_state is h11.DONE:
                    self.protocol.start_next_cycle()  # else "Connection: close": not reused
                self.used = time.monotonic()
                headers = {k.decode().lower(): v.decode("latin-1") for k, v in head.headers}
                return Answer(head.status_code, headers, b"".join(chunks))
            else:  # closed, or an informational answer we never ask for
                raise Broken(repr(event))

    def close(self) -> None:
        self.writer.close()


class Client:
    """At most `size` requests at once, each on a connection of its own, reused when idle."""

    def __init__(self, host: str, port: int, size: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._slots = asyncio.Semaphore(size)
        self._idle: list[_Connection] = []

    async def request(
        self, method: str, target: str, headers: dict[str, str], body: bytes = b""
    ) -> Answer:
        fields = [("Host", f"{self.host}:{self.port}"), *headers.items(),
                  ("Content-Length", str(len(body)))]  # fmt: skip
        request = h11.Request(method=method, target=target, headers=fields)
        async with self._slots:
            connection = await self._connection()
            try:
                async with asyncio.timeout(self.timeout):
                    answer = await connection.exchange(request, body)
            except (OSError, TimeoutError, h11.ProtocolError, Broken) as error:
                connection.close()
                raise Broken(repr(error)) from error
            self._idle.append(connection)
            return answer

    async def post_json(self, target: str, body: object, headers: dict[str, str]) -> Answer:
        data = json.dumps(body).encode()
        return await self.request("POST", target, headers | {"Content-Type": "application/json"},
                                  data)  # fmt: skip

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if not connection.stale():
                return connection
            connection.close()
        try:
            async with asyncio.timeout(self.timeout):
                return _Connection(*await asyncio.open_connection(self.host, self.port))
        except (OSError, TimeoutError) as error:
            raise Broken(repr(error)) from error

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
