"""Session batches: many units of work in one transaction, each in a savepoint of its own, on
a real database (SQLite file, or PostgreSQL with CLICKTRAIL_TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.config import Settings
from clicktrail.errors import NotFound
from clicktrail.models import Workspace
from clicktrail.storage.batches import SessionBatches, Work
from clicktrail.storage.db import Database
from clicktrail.storage.unit import after_commit


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings)
    yield database
    await database.dispose()


@pytest.fixture
async def batches(db: Database) -> AsyncIterator[SessionBatches]:
    running = SessionBatches(db, shared=True)
    running.start()
    yield running
    await running.close()


def count_commits(db: Database) -> list[int]:
    commits = [0]

    @event.listens_for(db.writer.sync_engine, "commit")
    def _counted(_conn: object) -> None:
        commits[0] += 1

    return commits


def add_workspace(slug: str) -> Work:
    async def work(session: AsyncSession) -> str:
        session.add(Workspace(name=slug, slug=slug, plan="business"))
        await session.flush()
        return slug

    return work


async def refuse(_session: AsyncSession) -> str:
    raise NotFound("nothing here")


async def slugs(db: Database) -> set[str]:
    async with db.read_session() as session:
        return set((await session.scalars(select(Workspace.slug))).all())


async def test_concurrent_works_share_one_commit_and_a_bad_one_fails_alone(
    db: Database, batches: SessionBatches
) -> None:
    commits = count_commits(db)
    seen_commits: list[int] = []

    async def submit(work: Work) -> object:
        try:
            return await batches.run(work)
        finally:
            seen_commits.append(commits[0])  # answered only once the batch committed

    works = [add_workspace(f"ws-{n}") for n in range(8)]
    works.insert(3, add_workspace("ws-1"))  # a duplicate of an earlier work's slug
    works.insert(6, refuse)
    answers = await asyncio.gather(*(submit(w) for w in works), return_exceptions=True)
    assert [a for a in answers if isinstance(a, str)] == [f"ws-{n}" for n in range(8)]
    assert isinstance(answers[3], IntegrityError)
    assert isinstance(answers[6], NotFound)
    assert commits[0] == 1
    assert min(seen_commits) == 1
    assert await slugs(db) == {f"ws-{n}" for n in range(8)}


async def test_hooks_run_after_the_commit_and_only_for_works_that_succeeded(
    db: Database, batches: SessionBatches
) -> None:
    commits = count_commits(db)
    ran: list[tuple[str, int]] = []

    def hooked(slug: str, *, fail: bool) -> Work:
        async def hook() -> None:
            ran.append((slug, commits[0]))

        async def work(session: AsyncSession) -> str:
            after_commit(session, hook)
            session.add(Workspace(name=slug, slug=slug, plan="business"))
            await session.flush()
            if fail:
                raise NotFound("changed my mind")
            return slug

        return work

    answers = await asyncio.gather(
        batches.run(hooked("kept", fail=False)),
        batches.run(hooked("dropped", fail=True)),
        return_exceptions=True,
    )
    assert answers[0] == "kept"
    assert isinstance(answers[1], NotFound)
    assert ran == [("kept", 1)]
    assert await slugs(db) == {"kept"}
