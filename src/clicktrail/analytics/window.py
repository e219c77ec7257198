"""The time range of an analytics or events request, its buckets, and how each bucket splits
into whole UTC days, whole hours and the minutes at its edges (spec §7.2, §7.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from clicktrail.kit.clock import as_utc

FOUNDED = datetime(2022, 9, 22, tzinfo=UTC)  # no Dub data can be older; `start` may not be
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


class Interval(StrEnum):
    h24 = "24h"
    d7 = "7d"
    d30 = "30d"
    d90 = "90d"
    y1 = "1y"
    mtd = "mtd"
    qtd = "qtd"
    ytd = "ytd"
    all = "all"


Granularity = Literal["hour", "day", "month"]
_LOOKBACK = {"24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, "90d": 90 * DAY, "1y": 365 * DAY}
_GRANULARITY: dict[Interval, Granularity] = {
    Interval.h24: "hour",
    **dict.fromkeys((Interval.d7, Interval.d30, Interval.d90), "day"),
    **dict.fromkeys((Interval.mtd, Interval.qtd), "day"),
    **dict.fromkeys((Interval.y1, Interval.ytd, Interval.all), "month"),
}


@dataclass(frozen=True, slots=True)
class Window:
    """Events with start <= timestamp < end, in buckets of `granularity` in `zone`."""

    start: datetime
    end: datetime
    zone: ZoneInfo
    granularity: Granularity
    interval: Interval | None

    def buckets(self) -> list[tuple[datetime, datetime, datetime]]:
        """(label, lo, hi) of every bucket, empty ones included: `label` is the bucket's
        start in the zone, [lo, hi) the part of it inside the window."""
        found = []
        label = _floor(self.start.astimezone(self.zone), self.granularity)
        while label < self.end:
            following = _step(label, self.granularity)
            found.append((label, max(label, self.start), min(following, self.end)))
            label = following
        return found

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY


def window(
    *, interval: Interval | None, start: datetime | None, end: datetime | None, zone: ZoneInfo,
    since: datetime, now: datetime,
) -> Window:  # fmt: skip
    """Dub's rules: `start` wins over `interval`; no interval and no start means 30 days.
    `since` is where `all` begins (the workspace's creation). A custom range is widened to
    whole days in `zone`, from the start of `start`'s day to the end of `end`'s (or today's),
    and swapped if reversed."""
    if start is not None:
        return _custom(start, end if end is not None else now, zone)
    chosen = interval or Interval.d30
    return Window(
        _interval_start(chosen, zone, since, now), now, zone, _GRANULARITY[chosen], chosen
    )


def _custom(start: datetime, end: datetime, zone: ZoneInfo) -> Window:
    """Granularity comes from the count of days between the two dates. Dub counts them before
    it swaps a reversed range, which makes any reversed range hourly; here a reversed range
    is the same range as its forward form."""
    first = _floor(as_utc(start).astimezone(zone), "day")
    last = _floor(as_utc(end).astimezone(zone), "day")
    first, last = min(first, last), max(first, last)
    granularity = _custom_granularity((last.date() - first.date()).days)
    return Window(as_utc(first), as_utc(_step(last, "day")), zone, granularity, None)


def _interval_start(interval: Interval, zone: ZoneInfo, since: datetime, now: datetime) -> datetime:
    if interval.value in _LOOKBACK:
        return now - _LOOKBACK[interval.value]
    local = now.astimezone(zone)
    if interval is Interval.mtd:
        return _floor(local, "month")
    if interval is Interval.qtd:
        return _floor(local.replace(month=(local.month - 1) // 3 * 3 + 1, day=1), "day")
    if interval is Interval.ytd:
        return _floor(local.replace(month=1, day=1), "day")
    return _floor(max(as_utc(since), FOUNDED).astimezone(zone), "month")


def _custom_granularity(days: int) -> Granularity:
    if days <= 2:
        return "hour"
    return "month" if days > 180 else "day"


def _floor(local: datetime, granularity: Granularity) -> datetime:
    """The start of the hour, day or month holding `local`, in its own zone."""
    zone = local.tzinfo
    naive = local.replace(tzinfo=None, minute=0, second=0, microsecond=0)
    if granularity != "hour":
        naive = naive.replace(hour=0)
    if granularity == "month":
        naive = naive.replace(day=1)
    return _local(naive, zone)


def _step(label: datetime, granularity: Granularity) -> datetime:
    """The next bucket's start: an hour later, or the next calendar day or month at midnight,
    whatever daylight saving does in between."""
    if granularity == "hour":
        return (label.astimezone(UTC) + HOUR).astimezone(label.tzinfo)
    naive = label.replace(tzinfo=None)
    if granularity == "day":
        naive = (naive + DAY).replace(hour=0)
    else:
        naive = (naive.replace(day=28) + 4 * DAY).replace(day=1, hour=0)
    return _local(naive, label.tzinfo)


def _local(naive: datetime, zone: tzinfo | None) -> datetime:
    """A wall-clock time in a zone; a time skipped by daylight saving moves past the gap."""
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


Kind = Literal["minutes", "h", "d"]


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a bucket that one source can count: whole UTC days (d) and hours (h) from the
    rollups, or the minutes at an edge from the events themselves."""

    kind: Kind
    lo: datetime
    hi: datetime


def pieces(lo: datetime, hi: datetime, *, days: bool = True) -> list[Piece]:
    lo, hi = as_utc(lo), as_utc(hi)
    first_hour, last_hour = _ceil(lo, HOUR), _floor_utc(hi, HOUR)
    if first_hour >= last_hour:
        return [Piece("minutes", lo, hi)] if lo < hi else []
    found = [Piece("minutes", lo, first_hour), Piece("minutes", last_hour, hi)]
    first_day, last_day = _ceil(first_hour, DAY), _floor_utc(last_hour, DAY)
    if days and first_day < last_day:
        found += [
            Piece("h", first_hour, first_day),
            Piece("d", first_day, last_day),
            Piece("h", last_day, last_hour),
        ]
    else:
        found.append(Piece("h", first_hour, last_hour))
    return [piece for piece in found if piece.lo < piece.hi]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _floor_utc(moment: datetime, step: timedelta) -> datetime:
    return _EPOCH + (moment - _EPOCH) // step * step


def _ceil(moment: datetime, step: timedelta) -> datetime:
    floor = _floor_utc(moment, step)
    return floor if floor == moment else floor + step
