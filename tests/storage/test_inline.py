"""SQLite's writer runs on the event loop's thread; waiting for another process's write lock
must still leave the loop free, and must end at the database timeout."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
from sqlalchemy import text

from clicktrail.config import Settings
from clicktrail.storage.db import Database
from clicktrail.storage.urls import async_url, sqlite_path
from tests.conftest import settings_for


@pytest.fixture
def sqlite_file(settings: Settings) -> str:
    path = sqlite_path(async_url(settings.database_url))
    if path is None:
        pytest.skip("the inline writer is SQLite's")
    return str(path)


@contextmanager
def write_lock(path: str) -> Iterator[sqlite3.Connection]:
    """Another process's writer, as far as SQLite can tell: its own connection, holding the
    write lock until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings)
    try:
        yield db
    finally:
        await db.dispose()


async def write_marker(db: Database, value: str) -> None:
    async with db.writer.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS marker (value TEXT)"))
        await conn.execute(text("INSERT INTO marker VALUES (:value)"), {"value": value})


async def longest_gap(until: asyncio.Task[None]) -> float:
    """The longest time the loop took to come back to a task that sleeps 10 ms at a time."""
    gap, last = 0.0, time.monotonic()
    while not until.done():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        gap, last = max(gap, now - last), now
    return gap


async def test_a_write_waits_for_the_lock_without_stopping_the_loop(
    settings: Settings, sqlite_file: str
) -> None:
    async with database(settings) as db:
        await write_marker(db, "before")  # connected, tables made
        with write_lock(sqlite_file):
            writing = asyncio.create_task(write_marker(db, "waited"))
            await asyncio.sleep(0.6)
            assert not writing.done()  # still waiting for the lock
            watching = asyncio.create_task(longest_gap(writing))
            await asyncio.sleep(0.2)
        await writing
        assert await watching < 0.25
        async with db.reader.connect() as conn:
            found: list[str] = list(
                (await conn.execute(text("SELECT value FROM marker"))).scalars()
            )
        assert found == ["before", "waited"]


async def test_a_write_gives_up_at_the_database_timeout(
    settings: Settings, sqlite_file: str
) -> None:
    quick = settings_for(settings.database_url, database_timeout=0.5)
    async with database(quick) as db:
        await write_marker(db, "before")
        with write_lock(sqlite_file):
            started = time.monotonic()
            with pytest.raises(Exception, match="locked"):
                await write_marker(db, "never")
            assert 0.4 < time.monotonic() - started < 2.0
        await write_marker(db, "after")  # the writer is usable again
        async with db.reader.connect() as conn:
            found: list[str] = list(
                (await conn.execute(text("SELECT value FROM marker"))).scalars()
            )
        assert found == ["before", "after"]
