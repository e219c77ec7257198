"""groupBy=timeseries: every bucket of the range present, labelled in the requested time zone,
the granularity Dub picks for each range, and events in the bucket of their own time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.analytics.helpers import Json, all_events, analytics, visit
from tests.support import Tenant
from tests.tracking.helpers import Tracker

LABEL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000[+-]\d{4}$")
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
NEW_YORK = "America/New_York"
ZONES = ("UTC", "Asia/Kolkata", NEW_YORK)
MEASURES = ("clicks", "leads", "sales", "saleAmount")


def parse(label: str) -> datetime:
    assert LABEL.match(label), label
    return datetime.strptime(label, "%Y-%m-%dT%H:%M:%S.000%z")


def label(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000%z")


def floor(moment: datetime, zone: str, unit: str) -> datetime:
    """The start of the hour, day or month holding `moment` on the clocks of `zone`."""
    local = moment.astimezone(ZoneInfo(zone)).replace(minute=0, second=0, microsecond=0)
    if unit != "hour":
        local = local.replace(hour=0)
    if unit == "month":
        local = local.replace(day=1)
    return local.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone))


def steps(first: datetime, last: datetime, unit: str) -> list[str]:
    """Labels from `first` to `last`: hours in absolute time, days and months by the calendar."""
    found, at = [], first
    while at <= last:
        found.append(label(at))
        if unit == "hour":
            at = (at.astimezone(UTC) + HOUR).astimezone(at.tzinfo)
        else:
            naive = at.replace(tzinfo=None)
            naive = (
                (naive + DAY) if unit == "day" else (naive.replace(day=28) + 4 * DAY).replace(day=1)
            )
            at = naive.replace(tzinfo=at.tzinfo)
    return found


async def series(client: httpx.AsyncClient, tenant: Tenant, **params: str) -> list[Json]:
    rows: list[Json] = await analytics(client, tenant, groupBy="timeseries", **params)
    return rows


async def clicks_now(client: httpx.AsyncClient, track: Tracker, n: int = 3) -> list[datetime]:
    """`n` clicks on a new link; their timestamps, as /events reports them."""
    link = await track.link()
    for _ in range(n):
        await visit(client, link)
    rows = await all_events(client, track.tenant, limit=100, interval="24h")
    return [datetime.fromisoformat(row["click"]["timestamp"]) for row in rows]


def per_label(rows: list[Json], name: str = "clicks") -> dict[str, int]:
    return {row["start"]: row[name] for row in rows if row[name]}


def expected(times: list[datetime], zone: str, unit: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for at in times:
        key = label(floor(at, zone, unit))
        found[key] = found.get(key, 0) + 1
    return found


@pytest.mark.parametrize(
    ("interval", "unit", "lookback"),
    [("24h", "hour", DAY), ("7d", "day", 7 * DAY), ("30d", "day", 30 * DAY),
     ("90d", "day", 90 * DAY), ("1y", "month", 365 * DAY)],
)  # fmt: skip
async def test_every_bucket_of_an_interval_is_there(
    client: httpx.AsyncClient, tenant: Tenant, interval: str, unit: str, lookback: timedelta
) -> None:
    for zone in ZONES:
        before = datetime.now(UTC)
        rows = await series(client, tenant, interval=interval, timezone=zone)
        after = datetime.now(UTC)
        labels = [row["start"] for row in rows]
        candidates = [
            steps(floor(t - lookback, zone, unit), floor(t, zone, unit), unit)
            for t in (before, after)
        ]
        assert labels in candidates, zone
        assert not [row for row in rows if any(row[m] for m in MEASURES)]


async def test_24h_has_24_or_25_hours_with_the_zones_offset(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for zone, offset in [("UTC", "+0000"), ("Asia/Kolkata", "+0530"), ("Asia/Kathmandu", "+0545")]:
        labels = [
            row["start"] for row in await series(client, tenant, interval="24h", timezone=zone)
        ]
        assert len(labels) in (24, 25)
        assert all(lbl.endswith(f":00:00.000{offset}") for lbl in labels), labels
        assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("zone", ZONES)
async def test_events_of_now_are_in_the_current_bucket_only(
    client: httpx.AsyncClient, track: Tracker, zone: str
) -> None:
    times = await clicks_now(client, track)
    for interval, unit in [("24h", "hour"), ("7d", "day"), ("all", "month")]:
        rows = await series(client, track.tenant, interval=interval, timezone=zone)
        assert per_label(rows) == expected(times, zone, unit), interval
        if floor(min(times), zone, unit) == parse(rows[-1]["start"]):  # no bucket began since
            assert per_label(rows) == {rows[-1]["start"]: 3}, interval


@pytest.mark.parametrize("zone", ZONES)
async def test_buckets_read_from_hourly_and_daily_rollups_place_events_alike(
    client: httpx.AsyncClient, track: Tracker, zone: str
) -> None:
    """Custom ranges, widened to whole local days, are answered from the hourly and daily
    rollups with the minutes at their edges; the same events must land in the same buckets as
    when the events themselves are read."""
    times = await clicks_now(client, track)
    today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
    ranges = [
        (today - timedelta(days=1), today + timedelta(days=1), "hour"),  # 2 days: hours
        (today - timedelta(days=3), today + timedelta(days=2), "day"),
        (today - timedelta(days=200), today + timedelta(days=2), "month"),
    ]
    for start, end, unit in ranges:
        params = {"start": start.isoformat(), "end": end.isoformat(), "timezone": zone}
        rolled = await series(client, track.tenant, **params)
        raw = await series(client, track.tenant, country="-XX", **params)
        assert rolled == raw
        assert per_label(rolled) == expected(times, zone, unit)
        first = datetime.combine(start, datetime.min.time(), ZoneInfo(zone))
        last = datetime.combine(end, datetime.max.time(), ZoneInfo(zone))
        assert [row["start"] for row in rolled] == steps(
            floor(first, zone, unit), floor(last, zone, unit), unit
        )


@pytest.mark.parametrize(
    ("span", "unit"),
    [(HOUR, "hour"), (2 * DAY + 17 * HOUR, "hour"), (3 * DAY - 6 * HOUR, "day"),
     (180 * DAY, "day"), (181 * DAY, "month"), (700 * DAY, "month")],
)  # fmt: skip
async def test_a_custom_ranges_granularity_follows_its_count_of_days(
    client: httpx.AsyncClient, tenant: Tenant, span: timedelta, unit: str
) -> None:
    """Dub widens the range to whole days, then counts the days between its two dates: up to
    2 is hourly, over 180 monthly, daily in between, whatever the hours asked for."""
    start = datetime(2024, 1, 10, 6, tzinfo=UTC)
    end = start + span
    rows = await series(client, tenant, start=start.isoformat(), end=end.isoformat())
    last = floor(end, "UTC", "day") + DAY - timedelta(microseconds=1)
    assert [row["start"] for row in rows] == steps(
        floor(floor(start, "UTC", "day"), "UTC", unit), floor(last, "UTC", unit), unit
    )


async def test_a_reversed_range_is_swapped(client: httpx.AsyncClient, tenant: Tenant) -> None:
    forward = await series(client, tenant, start="2024-05-01T00:00:00Z", end="2024-05-04T00:00:00Z")
    backward = await series(
        client, tenant, start="2024-05-04T00:00:00Z", end="2024-05-01T00:00:00Z"
    )
    assert backward == forward
    assert [row["start"][:10] for row in forward] == [
        "2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04",
    ]  # fmt: skip


async def test_hours_across_the_autumn_change_are_each_there_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    rows = await series(
        client, tenant, start="2025-11-01T22:00:00-04:00", end="2025-11-02T04:00:00-05:00",
        timezone=NEW_YORK,
    )  # fmt: skip
    labels = [row["start"] for row in rows]
    assert len(labels) == len(set(labels)) == 24 + 25  # 1 and 2 November, whole
    assert (labels[0], labels[-1]) == (
        "2025-11-01T00:00:00.000-0400",
        "2025-11-02T23:00:00.000-0500",
    )
    assert labels[24:29] == [
        "2025-11-02T00:00:00.000-0400", "2025-11-02T01:00:00.000-0400",
        "2025-11-02T01:00:00.000-0500", "2025-11-02T02:00:00.000-0500",
        "2025-11-02T03:00:00.000-0500",
    ]  # fmt: skip


async def test_hours_across_the_spring_change_skip_the_missing_hour(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    rows = await series(
        client, tenant, start="2025-03-09T00:00:00-05:00", end="2025-03-09T05:00:00-04:00",
        timezone=NEW_YORK,
    )  # fmt: skip
    labels = [row["start"] for row in rows]
    assert len(labels) == 23  # 9 March, whole
    assert labels[:4] == [
        "2025-03-09T00:00:00.000-0500", "2025-03-09T01:00:00.000-0500",
        "2025-03-09T03:00:00.000-0400", "2025-03-09T04:00:00.000-0400",
    ]  # fmt: skip
    assert labels[-1] == "2025-03-09T23:00:00.000-0400"


async def test_days_and_months_start_at_local_midnight_across_daylight_saving(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    days = await series(
        client, tenant, start="2025-03-07T00:00:00-05:00", end="2025-03-12T00:00:00-04:00",
        timezone=NEW_YORK,
    )  # fmt: skip
    assert [row["start"] for row in days] == [
        "2025-03-07T00:00:00.000-0500", "2025-03-08T00:00:00.000-0500",
        "2025-03-09T00:00:00.000-0500", "2025-03-10T00:00:00.000-0400",
        "2025-03-11T00:00:00.000-0400", "2025-03-12T00:00:00.000-0400",
    ]  # fmt: skip
    months = await series(
        client, tenant, start="2025-01-15T00:00:00-05:00", end="2025-12-01T00:00:00-05:00",
        timezone=NEW_YORK,
    )  # fmt: skip
    assert [row["start"] for row in months] == [
        f"2025-{m:02d}-01T00:00:00.000{'-0400' if 3 < m <= 11 else '-0500'}" for m in range(1, 13)
    ]


async def test_a_half_hour_zone_puts_todays_events_under_its_own_date(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    times = await clicks_now(client, track)
    rows = await series(client, track.tenant, interval="7d", timezone="Asia/Kolkata")
    today = {label(floor(t, "Asia/Kolkata", "day")) for t in times}
    assert set(per_label(rows)) == today
    assert all(lbl.endswith("T00:00:00.000+0530") for lbl in today)


@pytest.mark.parametrize(("interval", "unit"), [("mtd", "day"), ("qtd", "day"), ("ytd", "month")])
async def test_to_date_intervals_begin_at_local_midnight(
    client: httpx.AsyncClient, tenant: Tenant, interval: str, unit: str
) -> None:
    before = datetime.now(UTC)
    rows = await series(client, tenant, interval=interval, timezone=NEW_YORK)
    after = datetime.now(UTC)

    def first(now: datetime) -> datetime:
        month = floor(now, NEW_YORK, "month")
        if interval == "qtd":
            return month.replace(month=(month.month - 1) // 3 * 3 + 1)
        return month.replace(month=1) if interval == "ytd" else month

    assert [row["start"] for row in rows] in [
        steps(first(t), floor(t, NEW_YORK, unit), unit) for t in (before, after)
    ]
