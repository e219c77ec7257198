"""The time limit of one request's queries holds over all of them together, not per statement."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.config import Settings
from clicktrail.storage.db import Database
from clicktrail.storage.limits import QueryTooSlow, time_limited


async def _quick_statements(session: AsyncSession, ran: list[int]) -> None:
    """Statements of no time at all, 0.6 s apart, under a limit of 1 s."""
    async with time_limited(session, 1.0):
        for n in range(5):
            ran.append(int((await session.execute(text(f"SELECT {n}"))).scalar_one()))
            await asyncio.sleep(0.6)


async def test_no_statement_starts_after_the_time_is_up(settings: Settings) -> None:
    db = Database(settings)
    ran: list[int] = []
    try:
        async with db.read_session() as session:
            with pytest.raises(QueryTooSlow, match=r"took longer than 1 s"):
                await _quick_statements(session, ran)
            async with time_limited(session, 1.0):  # a new limit for the next question
                assert (await session.execute(text("SELECT 7"))).scalar_one() == 7
    finally:
        await db.dispose()
    assert ran == [0, 1]
