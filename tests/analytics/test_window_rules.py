"""Dub's window rules for custom ranges (get-start-end-dates, sanitize-timezone): `start` and
`end` widened to whole days in `timezone`, a date without an offset read on that zone's
calendar, and a time zone that is not one read as UTC."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.analytics.helpers import Json, all_events, analytics, visit
from tests.support import Tenant
from tests.tracking.helpers import Tracker

ZONES = ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago")  # +14 and -11: other dates than UTC


async def clicked_on(client: httpx.AsyncClient, track: Tracker, n: int = 2) -> list[datetime]:
    link = await track.link()
    for _ in range(n):
        await visit(client, link)
    rows = await all_events(client, track.tenant, limit=100, interval="24h")
    return [datetime.fromisoformat(row["click"]["timestamp"]) for row in rows]


def local_dates(times: list[datetime], zone: str) -> set[date]:
    return {t.astimezone(ZoneInfo(zone)).date() for t in times}


async def clicks(client: httpx.AsyncClient, tenant: Tenant, **params: str) -> int:
    total: Json = await analytics(client, tenant, **params)
    listed = await all_events(client, tenant, limit=100, **params)
    assert total["clicks"] == len(listed), params
    count: int = total["clicks"]
    return count


@pytest.mark.parametrize("zone", ZONES)
async def test_an_end_date_includes_all_of_that_day_in_the_zone(
    client: httpx.AsyncClient, track: Tracker, zone: str
) -> None:
    times = await clicked_on(client, track)
    (day,) = local_dates(times, zone)  # the clicks are seconds apart
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    tenant = track.tenant
    for start, end, expected in [
        (day, day, 2),  # one date: all of it
        (before, day, 2),
        (day, after, 2),
        (before, before, 0),
        (after, after, 0),
        (after, before, 2),  # reversed: swapped
    ]:
        params = {"start": start.isoformat(), "end": end.isoformat(), "timezone": zone}
        assert await clicks(client, tenant, **params) == expected, params


async def test_an_instant_is_widened_to_its_days_in_the_zone(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    """An instant with an offset names the day it falls on in `timezone`."""
    times = await clicked_on(client, track)
    first = min(times)
    tenant = track.tenant
    just_after = (first + timedelta(microseconds=1000)).isoformat()
    assert await clicks(client, tenant, start=just_after, end=just_after) == 2
    assert await clicks(client, tenant, start=just_after) == 2  # to the end of today


async def test_a_zone_that_is_not_one_is_read_as_utc(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    await clicked_on(client, track)
    tenant = track.tenant
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "not a zone"):
        for params in (
            {"interval": "24h"},
            {"groupBy": "timeseries", "interval": "7d"},
            {"start": "2024-05-01", "end": "2024-05-03", "groupBy": "timeseries"},
        ):
            in_utc = await analytics(client, tenant, timezone="UTC", **params)
            assert await analytics(client, tenant, timezone=bad, **params) == in_utc, (bad, params)
        listed = await all_events(client, tenant, limit=100, interval="24h", timezone=bad)
        assert len(listed) == 2


@pytest.mark.parametrize(
    ("start", "end", "buckets"),
    [
        ("2024-05-01", "2024-05-01", 24),  # 0 days between the dates: hourly
        ("2024-05-01", "2024-05-03", 72),  # 2: still hourly
        ("2024-05-01", "2024-05-04", 4),  # 3: daily
        ("2024-05-01T23:00:00Z", "2024-05-04T01:00:00Z", 4),  # the hours do not matter
        ("2024-01-01", "2024-06-29", 181),  # 180: daily
        ("2024-01-01", "2024-06-30", 6),  # 181: monthly
    ],
)
async def test_granularity_follows_the_count_of_days(
    client: httpx.AsyncClient, tenant: Tenant, start: str, end: str, buckets: int
) -> None:
    rows = await analytics(client, tenant, groupBy="timeseries", start=start, end=end)
    assert len(rows) == buckets
    assert rows[0]["start"].startswith(start[:10])


async def test_a_date_is_read_on_the_zones_calendar(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    rows = await analytics(client, tenant, groupBy="timeseries", start="2024-05-01",
                           end="2024-05-04", timezone="Asia/Kolkata")  # fmt: skip
    assert [row["start"] for row in rows] == [
        f"2024-05-0{d}T00:00:00.000+0530" for d in range(1, 5)
    ]
