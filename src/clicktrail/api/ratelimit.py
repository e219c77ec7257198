"""Per-key request budgets by plan (spec §5.3): in process by default, in Redis when configured
so that every worker and host draws on one budget."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from redis.asyncio import ConnectionPool, Redis

from clicktrail.errors import RateLimitExceeded, ServiceUnavailable

log = logging.getLogger(__name__)

API_PER_MINUTE = {"free": 60, "pro": 600, "business": 1200, "advanced": 3000, "enterprise": 3000}
ANALYTICS_PER_SECOND = {"free": 0, "pro": 2, "business": 4, "advanced": 8, "enterprise": 16}
# Seconds to connect to Redis, and for each answer: every API request waits for the limiter,
# whose commands take well under a millisecond when Redis is well.
REDIS_TIMEOUT = 1.0
LIMITER_AWAY = "Rate limiting is unavailable, so requests are refused for now. Please retry."

OnFailure = Literal["open", "closed"]


@dataclass(frozen=True, slots=True)
class Budget:
    limit: int
    remaining: int
    reset_ms: int  # Unix epoch in milliseconds, as Dub's (Upstash's) reset is

    def headers(self) -> dict[str, str]:
        return {
            "Retry-After": str(self.reset_ms),
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_ms),
        }


class RateLimiter:
    """`on_failure` says what a request gets while Redis is unreachable: `open` lets it through
    unmetered, `closed` refuses it with 503."""

    def __init__(self, redis_url: str | None, on_failure: OnFailure = "open") -> None:
        self._on_failure = on_failure
        self._pool = (
            ConnectionPool.from_url(
                redis_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
            )
            if redis_url
            else None
        )
        self._redis = Redis(connection_pool=self._pool) if self._pool is not None else None
        storage: Storage = (
            RedisStorage(
                _async_uri(redis_url or ""),
                implementation="redispy",
                key_prefix="clicktrail",
                connection_pool=self._pool,  # type: ignore[arg-type]  # ours, closed by close()
            )
            if self._pool is not None
            else MemoryStorage()
        )
        self._limiter = SlidingWindowCounterRateLimiter(storage)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def redis_up(self) -> bool | None:
        """Whether the shared budgets' Redis answers; None when budgets are kept in process."""
        if self._redis is None:
            return None
        try:
            await self._redis.ping()
        except Exception:  # whatever the failure, the answer is "no"
            return False
        return True

    async def hit(self, key_hash: str, plan: str, *, analytics: bool) -> Budget:
        """Spend one request of this key's budget, or raise 429 with Dub's headers."""
        item = _item(plan, analytics=analytics)
        try:
            allowed = item.amount > 0 and await self._limiter.hit(item, key_hash)
            stats = await self._limiter.get_window_stats(item, key_hash)
        except Exception as error:  # Redis is away: the operator chose what that means
            return self._unmetered(item, error)
        budget = Budget(item.amount, stats.remaining, math.ceil(stats.reset_time * 1000))
        if not allowed:
            raise RateLimitExceeded("Too many requests.", headers=budget.headers())
        return budget

    def _unmetered(self, item: RateLimitItem, error: Exception) -> Budget:
        if self._on_failure == "closed":
            log.warning("rate limiter unavailable; request refused: %r", error)
            raise ServiceUnavailable(LIMITER_AWAY) from error
        log.warning("rate limiter unavailable; request allowed: %r", error)
        return Budget(item.amount, item.amount, 0)


def _item(plan: str, *, analytics: bool) -> RateLimitItem:
    if analytics:
        return RateLimitItemPerSecond(ANALYTICS_PER_SECOND.get(plan, 0))
    return RateLimitItemPerMinute(API_PER_MINUTE.get(plan, API_PER_MINUTE["free"]))


def _async_uri(redis_url: str) -> str:
    return "async+" + redis_url if not redis_url.startswith("async+") else redis_url
