"""SQLite's write lock held by another process for longer than the database timeout: writes
get 503 in Dub's envelope when the timeout runs out (not a hang, not a 500), reads go on, and
the same request succeeds, once, when the lock is released."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import settings_for
from tests.outages.helpers import TIMEOUT, assert_unavailable, site


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """An exclusive transaction of this process's own on the file, as a long migration or
    `clicktrail analytics rebuild` would hold it."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


async def test_writes_get_503_while_another_process_holds_the_write_lock(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "clicktrail.db"
    shutil.copyfile(sqlite_template, path)
    async with site(settings_for(f"sqlite:///{path}")) as running:
        track = running.track
        link = await track.link(key="spring")
        lead = {
            "clickId": await track.click(link),
            "eventName": "Sign up",
            "customerExternalId": "u1",
        }
        with write_lock(path):
            started = time.monotonic()
            refused = await asyncio.gather(*(track.post("/track/lead", lead) for _ in range(3)))
            took = time.monotonic() - started
            listed = await running.http.get("/links", headers=running.tenant.auth)
        for response in refused:
            assert_unavailable(response)
        # The first waits out the lock; the others wait for the process's one writer connection,
        # each for at most the timeout too.
        assert TIMEOUT <= took < 2 * TIMEOUT + 1.5
        assert listed.status_code == 200  # readers are not held by a writer (WAL)
        assert await track.rows("SELECT id FROM leads") == []
        assert (await track.lead(**lead))["link"]["id"] == link["id"]
        assert (await track.lead(**lead))["link"] is None
        assert len(await track.rows("SELECT id FROM leads")) == 1
        assert (await track.counters(link))["leads"] == 1
