"""The scheduled refresh: rates loaded from `CLICKTRAIL_FX_URL` at startup and then every
`CLICKTRAIL_FX_REFRESH` seconds, stored like `clicktrail fx update` stores them. A failed load
is logged and changes nothing: the rates in force stay."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from clicktrail.fx import repository
from clicktrail.fx.service import Rates, fetch_rates
from clicktrail.kit import tasks
from clicktrail.kit.currency import RatesError, RateTable, bundled_rates
from clicktrail.storage.db import Database

log = logging.getLogger(__name__)


class RatesRefresher:
    def __init__(self, db: Database, rates: Rates, url: str, every: float) -> None:
        self._db = db
        self._rates = rates
        self._url = url
        self._every = every
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="fx-refresh")

    async def close(self) -> None:
        """Stops between loads; a load stuck on a slow server is cancelled after a grace."""
        if self._task is None:
            return
        self._stopping.set()
        await tasks.finish(self._task)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            await self.refresh()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._every)

    async def refresh(self) -> RateTable | None:
        """The rates loaded, or None when the load failed or brought nothing newer."""
        try:
            table = await fetch_rates(self._url)
            return await self._store(table)
        except (httpx.HTTPError, RatesError) as exc:
            log.warning("exchange rates from %s not loaded, the old ones stay: %s", self._url, exc)
        except Exception:  # a database outage, say: the next round tries again
            log.exception("exchange rates from %s not stored", self._url)
        return None

    async def _store(self, table: RateTable) -> RateTable | None:
        """Stored unless the rates in force (stored, else bundled) are as recent: another worker
        that loaded the same file first, or an operator's newer ones, win."""
        async with self._db.write_session() as session, session.begin():
            in_force = await repository.newest(await session.connection()) or bundled_rates()
            if table.as_of <= in_force.as_of:
                return None
            await repository.add(session, table)
        self._rates.use(table)
        log.info("exchange rates of %s loaded from %s", table.as_of, self._url)
        return table
