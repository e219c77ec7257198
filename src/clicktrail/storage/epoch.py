"""A counter that every worker can read for free and any worker can bump after a link changes.

Each worker keeps links in memory; a changed epoch tells it to drop them. On one host the counter
lives in a shared memory-mapped file (a read is a memory load). With Redis configured it is also
published, so that workers on other hosts drop their caches too.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import mmap
import os
import struct
import tempfile
from pathlib import Path
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from clicktrail.storage.urls import async_url, sqlite_path

log = logging.getLogger(__name__)
_FORMAT = "<Q"
_SIZE = struct.calcsize(_FORMAT)
REDIS_TIMEOUT = 2.0  # seconds to connect to Redis, and to send a bump


class Epoch(Protocol):
    def current(self) -> int: ...

    async def bump(self) -> None: ...

    async def close(self) -> None: ...


def epoch_path(database_url: str) -> Path:
    """Beside a SQLite file; for a server database, one file per URL in the temp directory."""
    db_file = sqlite_path(async_url(database_url))
    if db_file is not None:
        return db_file.with_name(db_file.name + "-epoch")
    return Path(tempfile.gettempdir()) / f"clicktrail-{_digest(database_url)}.epoch"


def channel_of(database_url: str) -> str:
    """One channel per database, so that installations sharing a Redis leave each other alone."""
    return f"clicktrail:links:epoch:{_digest(database_url)}"


def _digest(database_url: str) -> str:
    """The same for every spelling of one database's URL."""
    url = async_url(database_url).set(password=None)
    return hashlib.sha256(url.render_as_string().encode()).hexdigest()[:16]


class FileEpoch:
    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _SIZE:
                os.pwrite(fd, b"\0" * _SIZE, 0)
            self._map = mmap.mmap(fd, _SIZE)
        finally:
            os.close(fd)
        self._lock_path = path

    def current(self) -> int:
        value: int = struct.unpack_from(_FORMAT, self._map)[0]
        return value

    def bump_now(self) -> int:
        with open(self._lock_path, "rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            value = self.current() + 1
            struct.pack_into(_FORMAT, self._map, 0, value)
            fcntl.flock(handle, fcntl.LOCK_UN)
        return value

    async def bump(self) -> None:
        self.bump_now()

    async def close(self) -> None:
        with contextlib.suppress(BufferError):
            self._map.close()


class RedisEpoch:
    """The file epoch, plus a Redis channel that carries bumps to other hosts."""

    def __init__(self, local: FileEpoch, redis: Redis, pubsub: PubSub, channel: str) -> None:
        self._local = local
        self._channel = channel
        self._remote = 0
        self._redis = redis
        self._pubsub = pubsub
        self._task = asyncio.get_running_loop().create_task(self._listen())

    @classmethod
    async def connect(cls, local: FileEpoch, redis_url: str, database_url: str) -> RedisEpoch:
        """Subscribed before it is returned, so that no bump is missed or cut off midway."""
        redis = Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT)
        pubsub = redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel_of(database_url))
        return cls(local, redis, pubsub, channel_of(database_url))

    def current(self) -> int:
        return self._local.current() + self._remote

    async def bump(self) -> None:
        """This host's workers learn at once; other hosts only while Redis answers (else within
        the link cache's one-minute backstop)."""
        self._local.bump_now()
        async with asyncio.timeout(REDIS_TIMEOUT):  # a silent Redis must not hold the request
            await self._redis.publish(self._channel, str(os.getpid()))

    async def _listen(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=None)
            except (RedisError, OSError):
                # Bumps sent while we were cut off are lost: count one, so caches are dropped.
                log.warning("lost the link-cache channel; resubscribing", exc_info=True)
                self._remote += 1
                await asyncio.sleep(1)
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.subscribe(self._channel)
                continue
            if message is not None:
                self._remote += 1

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._redis.aclose()
        await self._local.close()


async def open_epoch(database_url: str, redis_url: str | None) -> Epoch:
    """The epoch for this installation: shared by file on one host, and by Redis if configured."""
    local = FileEpoch(epoch_path(database_url))
    return await RedisEpoch.connect(local, redis_url, database_url) if redis_url else local
