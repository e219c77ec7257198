"""Work after a commit: a failing hook is logged and never fails the request."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.storage.unit import after_commit, run_after_commit


async def test_every_hook_runs_even_after_one_fails(caplog: pytest.LogCaptureFixture) -> None:
    session = AsyncSession()
    ran: list[str] = []

    async def broken() -> None:
        raise ConnectionError("redis is down")

    async def fine() -> None:
        ran.append("fine")

    after_commit(session, broken)
    after_commit(session, fine)
    with caplog.at_level(logging.ERROR):
        await run_after_commit(session)
    assert ran == ["fine"]
    assert "after-commit hook" in caplog.text
    await run_after_commit(session)  # hooks run once
    assert ran == ["fine"]
