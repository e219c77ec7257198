"""Counting events per bucket and per value, from the rollups where they can answer and from
the events themselves where they cannot (filters, or the minutes at a range's edges)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.analytics import relations
from clicktrail.analytics.dimensions import Dimension
from clicktrail.analytics.filters import Filters
from clicktrail.analytics.window import Piece, pieces
from clicktrail.kit.clock import as_utc
from clicktrail.models import Rollup
from clicktrail.models.rollup import VALUE_LENGTH

Counted = dict[str, list[int]]  # value -> [clicks, leads, sales, sale_amount]
Range = tuple[datetime, datetime]


class Source(Protocol):
    days: bool

    async def minutes(self, session: AsyncSession, lo: datetime, hi: datetime) -> Counted: ...

    async def whole(
        self, session: AsyncSession, grain: str, ranges: Sequence[Range], *, per_bucket: bool
    ) -> list[tuple[datetime | None, str, list[int]]]: ...


@dataclass(frozen=True, slots=True)
class Raw:
    """Events read one by one: any filter, any dimension."""

    dimension: Dimension
    kinds: tuple[str, ...]
    filters: Filters
    days = False

    async def minutes(self, session: AsyncSession, lo: datetime, hi: datetime) -> Counted:
        def where(own: Any, click: Any, kind: str) -> list[ColumnElement[bool]]:
            in_range = [own.c.timestamp >= lo, own.c.timestamp < hi]
            return self.filters.where(own, click, kind) + in_range

        events = relations.events(self.dimension.column, self.kinds, where)
        query = select(events.c.value, *relations.sums(events)).group_by(events.c.value)
        counted: Counted = defaultdict(lambda: [0, 0, 0, 0])
        derive = self.dimension.derive
        for stored, *sums in await session.execute(query):
            # Cut as the rollups cut, so that a long URL is one value whichever way it is read.
            value = str(stored)[:VALUE_LENGTH] if derive is None else derive(str(stored or ""))
            if value or derive is None:
                _add(counted, value, relations.counted(sums))
        return counted

    async def whole(
        self, session: AsyncSession, grain: str, ranges: Sequence[Range], *, per_bucket: bool
    ) -> list[tuple[datetime | None, str, list[int]]]:
        raise NotImplementedError  # `days` is False and buckets are read as minutes


@dataclass(frozen=True, slots=True)
class Rolled:
    """The rollups of a workspace (`link_id` "") or of one link; the minutes at the edges of a
    range come from the events, filtered alike."""

    workspace_id: str
    link_id: str
    dimension: Dimension
    edges: Raw
    days = True

    async def minutes(self, session: AsyncSession, lo: datetime, hi: datetime) -> Counted:
        return await self.edges.minutes(session, lo, hi)

    async def whole(
        self, session: AsyncSession, grain: str, ranges: Sequence[Range], *, per_bucket: bool
    ) -> list[tuple[datetime | None, str, list[int]]]:
        r = Rollup.__table__
        keys = [r.c.bucket] if per_bucket else []
        found: list[tuple[datetime | None, str, list[int]]] = []
        # One query per range: under an OR of ranges SQLite seeks on the key's first four
        # columns only and reads every bucket the dimension has (1.3M hourly `link` rows at
        # 10M clicks, 180 ms); `count` adds up rows that come back once per range.
        for lo, hi in ranges:
            query = (
                select(*keys, r.c.value, *relations.sums(r))
                .where(
                    r.c.workspace_id == self.workspace_id,
                    r.c.link_id == self.link_id,
                    r.c.dim == self.dimension.key,
                    r.c.grain == grain,
                    r.c.bucket >= lo,
                    r.c.bucket < hi,
                )
                .group_by(*keys, r.c.value)
            )
            for row in await session.execute(query):
                values: tuple[Any, ...] = tuple(row)
                at = as_utc(values[0]) if per_bucket else None
                value, *sums = values[1:] if per_bucket else values
                found.append((at, str(value), relations.counted(sums)))
        return found


async def count(
    session: AsyncSession, source: Source, buckets: Sequence[Range], *, per_bucket: bool
) -> list[Counted]:
    """The counts per value in each bucket [lo, hi); buckets are sorted and disjoint."""
    counted: list[Counted] = [defaultdict(lambda: [0, 0, 0, 0]) for _ in buckets]
    split = [(i, piece) for i, (lo, hi) in enumerate(buckets) for piece in _split(source, lo, hi)]
    for i, piece in split:
        if piece.kind == "minutes":
            for value, counts in (await source.minutes(session, piece.lo, piece.hi)).items():
                _add(counted[i], value, counts)
    starts = [lo for lo, _ in buckets]
    for grain in ("h", "d"):
        ranges = _merged([(p.lo, p.hi) for _, p in split if p.kind == grain])
        if not ranges:
            continue
        for bucket, value, counts in await source.whole(
            session, grain, ranges, per_bucket=per_bucket
        ):
            i = 0 if bucket is None else bisect_right(starts, bucket) - 1
            _add(counted[i], value, counts)
    return counted


def _split(source: Source, lo: datetime, hi: datetime) -> list[Piece]:
    return pieces(lo, hi) if source.days else [Piece("minutes", lo, hi)]


def _merged(ranges: list[Range]) -> list[Range]:
    merged: list[Range] = []
    for lo, hi in sorted(ranges):
        if merged and merged[-1][1] == lo:
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _add(counted: Counted, value: str, counts: Sequence[int]) -> None:
    row = counted[value]
    for i, n in enumerate(counts):
        row[i] += n
