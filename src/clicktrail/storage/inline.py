"""SQLite's writer connection, run on the event loop's own thread.

aiosqlite hands every call to a thread of its own and wakes the loop with the answer: two
thread switches per statement. On the write path, whose statements take tens of microseconds,
those switches were most of a request's time, and on a busy 2-core machine each could wait
milliseconds for a processor (`bench/profile.py` showed the loop idle, waiting on them). Run
inline, a statement costs what SQLite takes. The price: a statement blocks the loop while it
runs, so this is only for the writer, whose statements are short; queries that can be long
(analytics) keep aiosqlite's threads. Waiting for another process's write lock must not block
the loop either, so the writer's `BEGIN IMMEDIATE` fails fast and is retried asynchronously.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import aiosqlite
from sqlalchemy.util.concurrency import await_

_FIRST_WAIT = 0.001
_LONGEST_WAIT = 0.05


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: each call runs as it is queued."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to the caller, as aiosqlite's thread does
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection without its thread: awaiting a call returns its finished result."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Any:
        return self._connect().__await__()  # no thread to start


def inline_creator(path: str) -> Callable[[], Any]:
    """For `create_async_engine(async_creator=...)`."""

    async def connect() -> InlineConnection:
        connection = InlineConnection(
            lambda: sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        )
        await connection
        return connection

    return connect


def begin_immediate(raw: sqlite3.Connection, timeout: float) -> None:
    """`BEGIN IMMEDIATE`, waiting for another process's write lock without blocking the loop.
    Called where SQLAlchemy can await (inside its greenlet)."""
    deadline = time.monotonic() + timeout
    wait = _FIRST_WAIT
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if time.monotonic() + wait > deadline:
                raise
        await_(asyncio.sleep(wait))
        wait = min(wait * 2, _LONGEST_WAIT)
