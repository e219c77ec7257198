"""Concurrent clicks share transactions (group commit) and still count exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from clicktrail.config import Settings
from clicktrail.storage.db import Database
from clicktrail.storage.group_commit import GroupCommitter
from tests.conftest import BROWSER_UA
from tests.redirect.helpers import changed, clicks, dub_id, link_row, make_link, worker
from tests.support import Tenant

N = 50


@pytest.fixture
async def proxy(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A worker behind a trusted reverse proxy: X-Forwarded-For tells visitors apart."""
    async with worker(changed(settings, trusted_proxies="10.0.0.0/8"), peer="10.0.0.1") as c:
        yield c


async def burst(client: httpx.AsyncClient, path: str, headers: list[dict[str, str]]) -> list[str]:
    """Concurrent visits; the click id each visitor was sent on with."""
    responses = await asyncio.gather(
        *(client.get(path, headers={"User-Agent": BROWSER_UA, **h}) for h in headers)
    )
    assert {r.status_code for r in responses} == {302}
    return [dub_id(r) or "" for r in responses]


async def test_distinct_visitors_at_once_are_all_counted(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, proxy: httpx.AsyncClient
) -> None:
    link = await make_link(client, tenant, key="rush", trackConversion=True)
    visitors = [{"X-Forwarded-For": f"198.51.100.{i}"} for i in range(N)]
    ids = await burst(proxy, "/rush", visitors)
    assert len(set(ids)) == N
    rows = await clicks(settings, link["id"])
    assert {row["id"] for row in rows} == set(ids)
    assert len({row["ip"] for row in rows}) == N
    assert (await link_row(settings, link["id"]))["clicks"] == N


async def test_distinct_agents_at_once_are_all_counted(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="rush")
    await burst(client, "/rush", [{"User-Agent": f"{BROWSER_UA} tab/{i}"} for i in range(N)])
    assert len(await clicks(settings, link["id"])) == N
    assert (await link_row(settings, link["id"]))["clicks"] == N


async def test_one_visitor_at_once_is_one_click(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="rush", trackConversion=True)
    ids = await burst(client, "/rush", [{}] * N)
    assert len(set(ids)) == 1
    assert [row["id"] for row in await clicks(settings, link["id"])] == ids[:1]
    assert (await link_row(settings, link["id"]))["clicks"] == 1


async def test_one_visitor_on_two_workers_at_once_is_one_click(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="rush", trackConversion=True)
    async with worker(settings) as other:
        here, there = await asyncio.gather(
            burst(client, "/rush", [{}] * (N // 2)), burst(other, "/rush", [{}] * (N // 2))
        )
    assert len(set(here + there)) == 1
    assert len(await clicks(settings, link["id"])) == 1
    assert (await link_row(settings, link["id"]))["clicks"] == 1


async def test_many_visitors_on_two_workers_at_once(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Each worker sees the same visitors in opposite orders: every visitor counts once, and
    the workers' transactions wait for each other rather than deadlock (and retry)."""
    links = [await make_link(client, tenant, key=f"rush{i}") for i in range(2)]
    trusting = changed(settings, trusted_proxies="10.0.0.0/8")
    visits = [(f"/rush{i % 2}", {"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(N)]
    async with worker(trusting, peer="10.0.0.1") as a, worker(trusting, peer="10.0.0.2") as b:
        await asyncio.gather(
            *(a.get(path, headers={"User-Agent": BROWSER_UA, **h}) for path, h in visits),
            *(b.get(path, headers={"User-Agent": BROWSER_UA, **h}) for path, h in visits[::-1]),
        )
    counts = [(await link_row(settings, link["id"]))["clicks"] for link in links]
    assert counts == [N // 2, N // 2]
    assert sum([len(await clicks(settings, link["id"])) for link in links]) == N
    assert "group commit" not in caplog.text


class Recorder:
    """A batch writer that notes each transaction's batch; the item "bad" breaks a constraint
    and the item "down" fails as a lost database connection does."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def write(self, conn: AsyncConnection, items: Sequence[str]) -> list[str]:
        await conn.execute(text("SELECT 1"))
        self.batches.append(list(items))
        if "bad" in items:
            raise IntegrityError("INSERT", {}, ValueError("bad item"))
        if "down" in items:
            raise OperationalError("INSERT", {}, ConnectionError("server closed the connection"))
        return [item.upper() for item in items]


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings)
    yield db
    await db.dispose()


async def committing(
    database: Database, items: list[str], max_batch: int
) -> tuple[list[str | BaseException], Recorder]:
    recorder = Recorder()
    committer: GroupCommitter[str, str] = GroupCommitter(database.writer, recorder.write, max_batch)
    committer.start()
    try:
        results = await asyncio.gather(
            *(committer.submit(item) for item in items), return_exceptions=True
        )
    finally:
        await committer.close()
    return results, recorder


async def test_concurrent_items_share_a_transaction(database: Database) -> None:
    items = [f"item{i}" for i in range(N)]
    results, recorder = await committing(database, items, max_batch=512)
    assert results == [item.upper() for item in items]
    assert len(recorder.batches) < N
    assert sorted(item for batch in recorder.batches for item in batch) == sorted(items)


async def test_items_on_their_way_join_the_batch(database: Database) -> None:
    """Requests reach the queue a few turns of the loop apart (reading, parsing, looking up);
    with a writer that blocks the loop, none would arrive during a write, so the committer
    must wait those turns, or each request would be a transaction of its own."""
    recorder = Recorder()
    committer: GroupCommitter[str, str] = GroupCommitter(database.writer, recorder.write, 512)
    committer.start()

    async def arriving(item: str, turns: int) -> str:
        for _ in range(turns):
            await asyncio.sleep(0)
        return await committer.submit(item)

    try:
        await asyncio.gather(*(arriving(f"item{i}", i % 3) for i in range(N)))
    finally:
        await committer.close()
    assert len(recorder.batches) == 1


async def test_batches_are_capped(database: Database) -> None:
    items = [f"item{i}" for i in range(N)]
    results, recorder = await committing(database, items, max_batch=8)
    assert results == [item.upper() for item in items]
    assert max(len(batch) for batch in recorder.batches) <= 8


async def test_a_bad_item_fails_alone(database: Database, caplog: pytest.LogCaptureFixture) -> None:
    items = ["a", "b", "bad", "c"]
    results, _ = await committing(database, items, max_batch=512)
    assert results[:2] == ["A", "B"]
    assert isinstance(results[2], IntegrityError)
    assert results[3] == "C"
    assert "retrying one by one" in caplog.text
    assert "was refused" in caplog.text


async def test_a_failing_database_fails_the_batch_without_retries(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    results, recorder = await committing(database, ["a", "down", "b"], max_batch=512)
    assert all(isinstance(result, OperationalError) for result in results)
    assert len(recorder.batches) == 1  # no row-by-row retries against a database that is down
    assert "group commit of 3 items failed" in caplog.text
