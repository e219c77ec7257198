"""Rollups: counts per hour and per UTC day, added by the folder (folding/) from the events.

Rows are upserted in one global key order, so that a rebuild or a second writer on PostgreSQL
waits instead of deadlocking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Executable, bindparam, delete
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from clicktrail.analytics.dimensions import ClickFields, values_of
from clicktrail.kit.clock import as_utc
from clicktrail.models import Rollup
from clicktrail.storage import totals
from clicktrail.storage.sql import insert

ALL_LINKS = ""  # the link_id of a workspace's own rows
GRAINS = ("h", "d")
MEASURES = ("clicks", "leads", "sales", "sale_amount")  # a tally's counts
COUNTS = MEASURES[:3]
PARTS = ("sale_amount_high", "sale_amount_low")  # the amount as stored (storage/totals.py)
STORED = (*COUNTS, *PARTS)
KEY = ("workspace_id", "link_id", "dim", "grain", "bucket", "value")

Key = tuple[str, str, str, str, datetime, str]  # workspace, link, dim, grain, bucket, value


def truncate(moment: datetime, grain: str) -> datetime:
    """The start of the hour (h) or UTC day (d) that holds `moment`."""
    hour = as_utc(moment).replace(minute=0, second=0, microsecond=0)
    return hour if grain == "h" else hour.replace(hour=0)


@dataclass(frozen=True, slots=True)
class Counts:
    clicks: int = 0
    leads: int = 0
    sales: int = 0
    sale_amount: int = 0


CLICK = Counts(clicks=1)
LEAD = Counts(leads=1)


def sale(amount: int) -> Counts:
    return Counts(sales=1, sale_amount=amount)


@dataclass
class Tally:
    """Counts about to be added to the rollups, summed per row before any SQL is sent."""

    rows: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))

    def add(
        self, workspace_id: str, at: datetime, click: ClickFields, counts: Counts, n: int = 1
    ) -> None:
        """Count an event of `click` that happened `at`: for its workspace under every
        dimension, and for its link in total."""
        increments = (counts.clicks * n, counts.leads * n, counts.sales * n, counts.sale_amount * n)
        for grain in GRAINS:
            bucket = truncate(at, grain)
            keys = [(workspace_id, ALL_LINKS, dim, grain, bucket, v) for dim, v in values_of(click)]
            keys.append((workspace_id, click.link_id, "", grain, bucket, ""))
            for key in keys:
                self.count(key, increments)

    def count(self, key: Key, increments: Sequence[int]) -> None:
        row = self.rows[key]
        for i, increment in enumerate(increments):
            row[i] += increment

    def merge(self, other: Tally) -> None:
        for key, counts in other.rows.items():
            self.count(key, counts)

    def __bool__(self) -> bool:
        return bool(self.rows)


async def apply(executor: AsyncConnection | AsyncSession, dialect: str, tally: Tally) -> None:
    """Add a tally to the rollups (negative counts subtract; rows that reach zero go)."""
    for stmt, rows in statements(dialect, tally):
        await executor.execute(stmt, rows)


def statements(dialect: str, tally: Tally) -> list[tuple[Executable, list[dict[str, Any]]]]:
    """The upsert of a tally's rows, and the removal of those it empties."""
    if not tally:
        return []
    table = Rollup.__table__
    upsert = _upsert(dialect)
    rows = [_row(key, counts) for key, counts in sorted(tally.rows.items())]
    done: list[tuple[Executable, list[dict[str, Any]]]] = [(upsert, rows)]
    if any(value < 0 for counts in tally.rows.values() for value in counts):
        emptied = delete(Rollup).where(
            *(table.c[name] == bindparam(f"k_{name}") for name in KEY),
            *(table.c[name] == 0 for name in STORED),
        )
        done.append((emptied, [{f"k_{n}": row[n] for n in KEY} for row in rows]))
    return done


@cache
def _upsert(dialect: str) -> Any:
    return adding(insert(Rollup.__table__, dialect))


def adding(upsert: Any) -> Any:
    """A dialect's INSERT into the rollups that adds its counts to the rows already there."""
    table = Rollup.__table__
    parts = totals.added(*(table.c[name] for name in PARTS), *(upsert.excluded[n] for n in PARTS))
    return upsert.on_conflict_do_update(
        index_elements=[table.c[name] for name in KEY],
        set_={name: table.c[name] + upsert.excluded[name] for name in COUNTS}
        | dict(zip(PARTS, parts, strict=True)),
    )


def _row(key: Key, counts: list[int]) -> dict[str, Any]:
    *counted, amount = counts
    stored = (*counted, *totals.split(amount))
    return dict(zip(KEY, key, strict=True)) | dict(zip(STORED, stored, strict=True))
