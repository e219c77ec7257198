"""The rates in force: the newest loaded snapshot, else the one bundled with clicktrail."""

from __future__ import annotations

import time
from datetime import date

import httpx

from clicktrail.fx import repository
from clicktrail.kit.currency import RateTable, bundled_rates, parse_rates
from clicktrail.storage.db import Database

REFRESH_SECONDS = 60.0  # how soon a worker sees rates another process loaded


class Rates:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._table: RateTable | None = None
        self._checked = 0.0

    async def current(self) -> RateTable:
        if self._table is None or time.monotonic() - self._checked > REFRESH_SECONDS:
            async with self._db.reader.connect() as conn:
                self._table = await repository.newest(conn) or bundled_rates()
            self._checked = time.monotonic()
        return self._table

    def use(self, table: RateTable) -> None:
        """Rates this process just stored: in force here now, elsewhere within REFRESH_SECONDS."""
        self._table = table
        self._checked = time.monotonic()


def age_days(table: RateTable, today: date) -> int:
    return (today - table.as_of).days


async def fetch_rates(url: str) -> RateTable:
    """Rates from a URL serving our JSON, fawazahmed0/currency-api's JSON or the ECB's CSV."""
    async with httpx.AsyncClient(timeout=30, follow_redirects=True) as client:
        response = await client.get(url)
        response.raise_for_status()
    return parse_rates(response.text, url)
