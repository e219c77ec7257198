"""The folder: one background task per server process; whichever holds the lease folds.

Each round claims a batch of pending events by their fold marks and adds their counts to the
rollups, the link counters and the customer totals, all in one transaction: a crash before its
commit leaves the marks unset (the events are folded again), a crash after it leaves nothing
to fold twice. A lease keeps folds one at a time per database; it lapses within seconds of its
holder's death, and another process takes over."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from datetime import timedelta

from clicktrail.folding.counters import fold_sales
from clicktrail.folding.repository import EVENTS, FoldRepository
from clicktrail.kit import tasks
from clicktrail.kit.clock import utcnow
from clicktrail.storage.db import Database

log = logging.getLogger(__name__)

LEASE = "folder"
LEASE_SECONDS = 5.0  # a dead holder's lease lapses this long after its last fold
BATCH = 1000  # events of each kind claimed by one fold
IDLE_POLL = 0.05  # seconds between looks when nothing was pending
DELETE_BATCH = 5000  # clicks of a deleted link deleted per transaction
CATCH_UP_POLL = 0.01


class Folder:
    def __init__(self, db: Database, *, delay: float = 0.0) -> None:
        self._db = db
        self._delay = delay  # test-only: seconds each fold waits before its commit
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._nudged = asyncio.Event()
        self._held_elsewhere_until = 0.0  # monotonic time before which no lease is tried

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="folder")

    async def close(self) -> None:
        """Stops between folds; a fold cancelled mid-way would roll back anyway."""
        if self._task is None:
            return
        self._stopping.set()
        self._nudged.set()
        await tasks.finish(self._task)
        with contextlib.suppress(Exception):  # a stopping server gives its lease back at once
            await self.release()

    async def release(self) -> None:
        async with self._db.writer.begin() as conn:
            await FoldRepository(conn).release_lease(LEASE, self.holder)

    async def drain(self, most: float) -> bool:
        """Fold until nothing is pending, by this process or by the server holding the lease;
        False if events were still pending after `most` seconds."""
        deadline = time.monotonic() + most
        while time.monotonic() < deadline:
            if not await self.run_once():
                async with self._db.reader.connect() as conn:
                    if not await FoldRepository(conn).anything_pending():
                        return True
                await asyncio.sleep(IDLE_POLL)
        return False

    def nudge(self) -> None:
        """Fold now rather than at the next poll (after a local commit, or for a reader)."""
        self._nudged.set()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                busy = await self.run_once()
            except Exception:  # the database may be away for a while; keep trying
                log.exception("folding failed")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._nudged.wait(), IDLE_POLL)
                self._nudged.clear()

    async def run_once(self) -> bool:
        """One fold and one step of clearing a deleted link, if this process holds the lease;
        True when there may be more to do at once."""
        async with self._db.reader.connect() as conn:
            if not await FoldRepository(conn).anything_pending():
                return False
        full = await self.fold()
        return await self.clear_deletion() or full

    async def fold(self) -> bool:
        """Fold one batch; True if a kind's batch was full (more is waiting)."""
        async with self._db.writer.begin() as conn:
            repo = FoldRepository(conn)
            if not await self._lease(repo):
                return False
            claimed = {kind: await repo.claim(kind, BATCH) for kind in EVENTS}
            if any(claimed.values()):
                await repo.add_to_rollups(claimed)
                await repo.count_clicks(claimed["clicks"])
                await repo.count_leads(claimed["leads"])
                await fold_sales(repo, claimed["sales"])
                await self._slow()
        return any(len(ids) == BATCH for ids in claimed.values())

    async def clear_deletion(self) -> bool:
        """One step for the oldest deleted link: subtract its events from the rollups (once
        all of them are folded), then delete its clicks a batch at a time, then its note."""
        async with self._db.writer.begin() as conn:
            repo = FoldRepository(conn)
            found = await repo.next_deletion()
            if found is None or not await self._lease(repo):
                return False
            link_id, workspace_id, subtracted = found
            if not subtracted:
                if await repo.link_has_pending(link_id):
                    return False  # the next fold counts them first
                await repo.subtract_link(workspace_id, link_id)
                return True
            if await repo.delete_clicks(link_id, DELETE_BATCH) < DELETE_BATCH:
                await repo.forget_deletion(link_id)
            return True

    async def caught_up(self, workspace_id: str, most: float) -> None:
        """Wait, up to `most` seconds, until a workspace's events committed before this call
        are folded and its deleted links cleared: reads of counters then count them."""
        async with self._db.reader.connect() as conn:
            waited = await FoldRepository(conn).pending_of(workspace_id)
        if not any(waited.values()):
            return
        self.nudge()
        deadline = time.monotonic() + most
        while time.monotonic() < deadline:
            await asyncio.sleep(CATCH_UP_POLL)
            async with self._db.reader.connect() as conn:
                if not await FoldRepository(conn).still_pending(waited):
                    return
            self.nudge()
        log.warning("reading workspace %s before its events were folded", workspace_id)

    async def _lease(self, repo: FoldRepository) -> bool:
        """Take or renew the lease. While another process holds it, this one only looks again
        after a while: each try is a write transaction."""
        if time.monotonic() < self._held_elsewhere_until:
            return False
        now = utcnow()
        until = now + timedelta(seconds=LEASE_SECONDS)
        if await repo.take_lease(LEASE, self.holder, now, until):
            return True
        self._held_elsewhere_until = time.monotonic() + LEASE_SECONDS / 5
        return False

    async def _slow(self) -> None:
        if self._delay:
            await asyncio.sleep(self._delay)
