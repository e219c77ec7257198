"""API keys remembered per worker, so that a track call does no read before its write.

A known key is kept with its workspace until the shared epoch moves (any worker revoked a key,
changed a workspace or a link) or a minute has passed, a backstop should a change notice ever
be lost. Unknown keys are not remembered: a key created a moment ago must work at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from clicktrail.api_keys.repository import APIKeyRepository
from clicktrail.models import Workspace
from clicktrail.storage.db import Database
from clicktrail.storage.epoch import Epoch

MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class KnownKey:
    expires_at: datetime | None
    workspace: Workspace  # detached and shared by requests: read it, never change it


class KeyCache:
    def __init__(self, db: Database, epoch: Epoch, size: int) -> None:
        self._db = db
        self._epoch = epoch
        self._size = size
        self._keys: dict[str, KnownKey] = {}
        self._loading: dict[tuple[int, str], asyncio.Future[KnownKey | None]] = {}
        self._seen = -1
        self._flushed = time.monotonic()

    def _fresh(self) -> int:
        epoch = self._epoch.current()
        now = time.monotonic()
        if epoch != self._seen or now - self._flushed > MAX_AGE_SECONDS:
            self._keys = {}
            self._seen, self._flushed = epoch, now
        return epoch

    async def find(self, hashed_key: str) -> KnownKey | None:
        epoch = self._fresh()
        known = self._keys.get(hashed_key)
        if known is not None:
            return known
        # One read for all the requests that wait for this key, if none began before a change.
        slot = (epoch, hashed_key)
        loading = self._loading.get(slot)
        if loading is None:
            loading = asyncio.ensure_future(self._load(hashed_key, epoch))
            self._loading[slot] = loading
            loading.add_done_callback(lambda _: self._loading.pop(slot, None))
        return await asyncio.shield(loading)

    async def _load(self, hashed_key: str, epoch: int) -> KnownKey | None:
        async with self._db.read_session() as session:
            found = await APIKeyRepository(session).find(hashed_key)
        if found is None:
            return None
        known = KnownKey(expires_at=found[0].expires_at, workspace=found[1])
        if self._epoch.current() == epoch and self._size:  # a change while loading: don't keep
            if len(self._keys) >= self._size:
                self._keys.clear()
            self._keys[hashed_key] = known
        return known
