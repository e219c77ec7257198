"""Group commit for requests that need a whole unit of work (a lead, a sale): concurrent
requests share one transaction and one fsync, each in a savepoint of its own.

A request hands over its work, a function of a session. The writer task runs the queued works
one after the other in one transaction, each inside a SAVEPOINT: a work that raises (bad data,
a missing click, a constraint) is rolled back to its savepoint and answered with its error,
and the others go on. Every answer, success or refusal, is given only once the transaction has
committed, and a work's after-commit hooks (storage/unit.py) run only then, in its request.
If the database itself fails, the whole batch fails with it: each request then answers 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from clicktrail.storage.db import Database, is_unavailable
from clicktrail.storage.group_commit import GroupCommitter
from clicktrail.storage.unit import Hook, run_hooks, take_after_commit

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]
MAX_BATCH = 64  # works per transaction: one commit for a full house of connections


@dataclass(slots=True)
class Outcome:
    value: Any = None
    error: BaseException | None = None
    hooks: list[Hook] = field(default_factory=list)


class SessionBatches:
    """Shared transactions on SQLite, whose one writer runs every transaction in turn anyway:
    there a batch saves a commit and an fsync per request for nothing. On PostgreSQL each work
    keeps a transaction of its own (`shared=False`): the works of a batch would run one after
    the other on one connection, a dozen round trips each, where separate transactions run side
    by side on the pool's connections (measured: 64 leads in one batch took longer than the
    bench's 5 s timeout on the shared bench machine)."""

    def __init__(self, db: Database, max_batch: int = MAX_BATCH, *, shared: bool) -> None:
        self._db = db
        self._committer: GroupCommitter[Work, Outcome] | None = (
            GroupCommitter(db.writer, _write, max_batch, fail_queued_on_outage=True)
            if shared
            else None
        )

    def start(self) -> None:
        if self._committer is not None:
            self._committer.start()

    async def close(self) -> None:
        if self._committer is not None:
            await self._committer.close()

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work`'s answer once its transaction has committed, or the error it raised."""
        if self._committer is None:
            return await self._alone(work)
        outcome = await self._committer.submit(work)
        if outcome.error is not None:
            raise outcome.error
        await run_hooks(outcome.hooks)
        value: T = outcome.value
        return value

    async def _alone(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self._db.write_session() as session:
            async with session.begin():
                value = await work(session)
            await run_hooks(take_after_commit(session))
        return value


async def _write(conn: AsyncConnection, works: Sequence[Work]) -> list[Outcome]:
    session = AsyncSession(bind=conn, expire_on_commit=False, autoflush=True)
    outcomes = []
    try:
        for work in works:
            outcomes.append(await _isolated(session, work))
            # SQLite's writer runs on the loop (storage/inline.py) and never waits: without a
            # turn between works, a batch would keep every other request waiting to its end.
            await asyncio.sleep(0)
    finally:
        await session.close()
    return outcomes


async def _isolated(session: AsyncSession, work: Work) -> Outcome:
    try:
        async with session.begin_nested():
            value = await work(session)
    except Exception as error:
        if is_unavailable(error):
            raise  # the database, not the request: the batch fails, every request gets a 503
        take_after_commit(session)  # a refused work's hooks never run
        return Outcome(error=error)
    return Outcome(value=value, hooks=take_after_commit(session))
