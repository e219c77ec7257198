"""Group commit: concurrent requests hand their rows to one writer task, which writes them in a
shared transaction and answers each request only after that transaction has committed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from clicktrail.storage.db import is_unavailable

T = TypeVar("T")
R = TypeVar("R")
BatchWriter = Callable[[AsyncConnection, Sequence[T]], Awaitable[Sequence[R]]]

log = logging.getLogger(__name__)

GATHER_TURNS = 3  # turns of the event loop that bring no new item before a batch is written


class GroupCommitter(Generic[T, R]):
    """While a batch is being committed, new items queue up and form the next batch."""

    def __init__(
        self,
        engine: AsyncEngine,
        write: BatchWriter[T, R],
        max_batch: int,
        *,
        fail_queued_on_outage: bool = False,
    ) -> None:
        self._engine = engine
        self._fail_queued_on_outage = fail_queued_on_outage
        self._write = write
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="group-commit")

    async def submit(self, item: T) -> R:
        """Returns once `item` is durably committed (or raises why it could not be)."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        return await future

    async def close(self) -> None:
        """Writes what is queued, then stops."""
        await self._queue.join()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            batch = await self._next_batch()
            try:
                await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _next_batch(self) -> list[tuple[T, asyncio.Future[R]]]:
        """What is queued, after letting the requests already on their way join it. With a
        writer that blocks the loop while it writes (SQLite's, storage/inline.py), requests
        cannot queue up during a write; without this wait, batches would stay small and each
        would pay a commit. The loop gets a few turns, for as long as they bring more items."""
        batch = [await self._queue.get()]
        idle_turns = 0
        while len(batch) < self._max_batch and idle_turns < GATHER_TURNS:
            if self._queue.empty():
                idle_turns += 1
                await asyncio.sleep(0)
                continue
            idle_turns = 0
            batch.append(self._queue.get_nowait())
        return batch

    async def _commit(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._transaction([item for item, _ in batch])
        except (IntegrityError, DataError) as error:
            if len(batch) == 1:
                log.warning("a group-committed item was refused: %s", error)
                _fail(batch[0][1], error)
                return
            log.warning(
                "group commit of %d items failed; retrying one by one", len(batch), exc_info=True
            )
            for single in batch:  # retry one by one, so only the bad row fails
                await self._commit([single])
            return
        except Exception as error:  # the database itself fails: row-by-row retries only wait longer
            log.exception("group commit of %d items failed", len(batch))
            for _, future in batch:
                _fail(future, error)
            if self._fail_queued_on_outage and is_unavailable(error):
                self._fail_queued(error)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    def _fail_queued(self, error: BaseException) -> None:
        """What queued up while a batch waited out an outage would wait out another one: it
        fails now, so that no request waits longer than one database timeout. Not for clicks:
        the redirect bounds its own wait, and a click queued as the database comes back should
        still be written."""
        while not self._queue.empty():
            _, future = self._queue.get_nowait()
            _fail(future, error)
            self._queue.task_done()

    async def _transaction(self, items: Sequence[T]) -> Sequence[R]:
        async with self._engine.begin() as conn:
            return await self._write(conn, items)


def _fail(future: asyncio.Future[R], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
