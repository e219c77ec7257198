"""A time limit on one request's queries, so that no analytics question ties up the database:
SQLite checks a deadline from its progress handler, PostgreSQL has `statement_timeout`."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState

from clicktrail.errors import BadRequest

CHECK_EVERY = 10_000  # SQLite virtual-machine instructions between deadline checks


@dataclass(slots=True)
class Deadline:
    """Set on each SQLite reader connection; its progress handler stops queries past `at`."""

    at: float | None = None

    def passed(self) -> int:
        return 1 if self.at is not None and time.monotonic() > self.at else 0


def install_deadline(dbapi_connection: Any, record: Any) -> None:
    """For a new SQLite connection (SQLAlchemy's `connect` event)."""
    deadline = Deadline()
    record.info["deadline"] = deadline
    dbapi_connection.run_async(
        lambda driver: driver.set_progress_handler(deadline.passed, CHECK_EVERY)
    )


class QueryTooSlow(BadRequest):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"This query took longer than {seconds:g} s and was stopped; ask for a shorter "
            "time range or fewer filters."
        )


@asynccontextmanager
async def time_limited(session: AsyncSession, seconds: float) -> AsyncIterator[None]:
    """The session's queries, together, may take `seconds`: the database stops a statement
    that runs past the end, and no statement starts after it."""
    ends = time.monotonic() + seconds
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    deadline: Deadline | None = raw.info.get("deadline")
    if deadline is not None:
        deadline.at = ends
    elif connection.dialect.name == "postgresql":
        # Whole milliseconds, at least one: PostgreSQL reads 0 as "no limit".
        milliseconds = max(1, math.ceil(seconds * 1000))
        await connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")

    def before_each(_state: ORMExecuteState) -> None:
        if time.monotonic() > ends:
            raise QueryTooSlow(seconds)

    event.listen(session.sync_session, "do_orm_execute", before_each)
    try:
        yield
    except DBAPIError as error:
        if not _timed_out(error):
            raise
        raise QueryTooSlow(seconds) from error
    finally:
        event.remove(session.sync_session, "do_orm_execute", before_each)
        if deadline is not None:
            deadline.at = None


def _timed_out(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return "interrupted" in text or "statement timeout" in text or "canceling statement" in text
