"""A TCP proxy on 127.0.0.1 in front of a real PostgreSQL or Redis, which a test can break and
mend: `cut` (new connections refused, open ones reset), `stall` (connections accepted, bytes
held: a network that went silent) and `restore`. The shared servers are never touched."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

CHUNK = 65536


class Proxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self._upstream = (upstream_host, upstream_port)
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._links: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @classmethod
    @asynccontextmanager
    async def running(cls, upstream_port: int) -> AsyncIterator[Proxy]:
        proxy = cls(upstream_port)
        await proxy._listen()
        try:
            yield proxy
        finally:
            await proxy.cut()

    async def cut(self) -> None:
        """Refuse new connections (nothing listens on the port) and reset the open ones."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            _reset(writer)
        for task in list(self._links):
            task.cancel()
        await asyncio.gather(*self._links, return_exceptions=True)
        self._flowing.set()

    async def stall(self) -> None:
        """Keep accepting connections, but forward no byte either way until `restore`."""
        self._flowing.clear()

    async def restore(self) -> None:
        """Listen again after a cut; after a stall, deliver what was held, as a healed link does."""
        self._flowing.set()
        if self._server is None:
            await self._listen()

    async def _listen(self) -> None:
        # reuse_address: the port is taken again after a cut, past the TIME_WAIT of old links.
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        # In a task of our own, which `cut` may cancel (asyncio's own for this callback
        # complains when cancelled).
        task = asyncio.get_running_loop().create_task(self._link(client_r, client_w))
        self._links.add(task)
        task.add_done_callback(self._links.discard)

    async def _link(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self._writers.add(client_w)
        try:
            upstream_r, upstream_w = await asyncio.open_connection(*self._upstream)
        except OSError:
            _reset(client_w)
            self._writers.discard(client_w)
            return
        self._writers.add(upstream_w)
        try:
            await asyncio.gather(self._pump(client_r, upstream_w), self._pump(upstream_r, client_w))
        finally:
            for writer in (client_w, upstream_w):
                writer.close()
                self._writers.discard(writer)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await source.read(CHUNK):
                await self._flowing.wait()
                sink.write(data)
                await sink.drain()
            await self._flowing.wait()
            if sink.can_write_eof():
                sink.write_eof()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a crashed host or a dropped route does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
