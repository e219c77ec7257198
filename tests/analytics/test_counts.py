"""One set of events, counted every way the API offers: the link's counters, /analytics in
total, per link, per country and over time, and the /events rows themselves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.analytics.helpers import Json, Scenario, all_events, analytics, ok, scenario
from tests.support import Tenant

MEASURES = ("clicks", "leads", "sales", "saleAmount")


@pytest.fixture
async def events(client: httpx.AsyncClient, tenant: Tenant) -> Scenario:
    return await scenario(client, tenant)


def measures(row: Json) -> tuple[int, ...]:
    return tuple(row[name] for name in MEASURES)


def summed(rows: list[Json]) -> tuple[int, ...]:
    return tuple(sum(row[name] for row in rows) for name in MEASURES)


async def counted_events(
    client: httpx.AsyncClient, tenant: Tenant, **params: Any
) -> tuple[int, ...]:
    """(clicks, leads, sales, sale amount) as the rows of /events give them, page by page."""
    clicks = await all_events(client, tenant, event="clicks", interval="all", **params)
    leads = await all_events(client, tenant, event="leads", interval="all", **params)
    sales = await all_events(client, tenant, event="sales", interval="all", **params)
    return len(clicks), len(leads), len(sales), sum(s["sale"]["amount"] for s in sales)


async def test_the_scenario_records_what_it_says(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    total = await analytics(client, tenant, event="composite", interval="all")
    amount = events.amounts["alpha"] + events.amounts["beta"]
    assert measures(total) == (5, 6, 3, amount)
    assert events.amounts["alpha"] > 2000  # a euro is worth more than a dollar
    assert events.amounts["beta"] == 2500


@pytest.mark.parametrize("key", ["alpha", "beta", "gamma"])
async def test_a_links_counters_analytics_and_events_agree(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario, key: str
) -> None:
    link = getattr(events, key)
    counters = await ok(client, tenant, "/links/info", linkId=link["id"])
    by_analytics = await analytics(
        client, tenant, event="composite", interval="all", linkId=link["id"]
    )
    expected = {"alpha": (3, 4, 2), "beta": (2, 2, 1), "gamma": (0, 0, 0)}[key]
    assert measures(counters) == (*expected, events.amounts[key])
    assert measures(by_analytics) == measures(counters)
    assert await counted_events(client, tenant, linkId=link["id"]) == measures(counters)


async def test_workspace_totals_agree_across_groupings(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    common = {"event": "composite", "interval": "all"}
    total = measures(await analytics(client, tenant, **common))
    top_links = await analytics(client, tenant, groupBy="top_links", **common)
    countries = await analytics(client, tenant, groupBy="countries", **common)
    assert summed(top_links) == total
    assert summed(countries) == total
    assert {row["id"] for row in top_links} == {events.alpha["id"], events.beta["id"]}
    assert {row["country"]: measures(row) for row in countries} == {
        "US": (2, 2, 1, 2500),
        "DE": (2, 3, 2, events.amounts["alpha"]),
        "IN": (1, 1, 0, 0),
    }
    assert await counted_events(client, tenant) == total


async def test_the_timeseries_adds_up_to_the_total(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    everything = (5, 6, 3, events.amounts["alpha"] + events.amounts["beta"])
    for interval in ("all", "24h", "7d", "30d", "90d", "1y", "mtd", "qtd", "ytd"):
        for zone in ("UTC", "Asia/Kolkata"):
            common = {"event": "composite", "interval": interval, "timezone": zone}
            assert measures(await analytics(client, tenant, **common)) == everything, common
            series = await analytics(client, tenant, groupBy="timeseries", **common)
            assert summed(series) == everything, common


@pytest.mark.parametrize("event", ["clicks", "leads", "sales"])
async def test_one_event_type_shows_its_own_measures_only(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario, event: str
) -> None:
    composite = await analytics(client, tenant, event="composite", interval="all")
    alone = await analytics(client, tenant, event=event, interval="all")
    shown = {"clicks": ["clicks"], "leads": ["leads"], "sales": ["sales", "saleAmount"]}[event]
    assert alone == {name: composite[name] if name in shown else 0 for name in MEASURES}
    countries = await analytics(client, tenant, event=event, interval="all", groupBy="countries")
    assert summed(countries) == measures(alone)
    assert all(any(row[name] for name in shown) for row in countries)  # no empty rows


async def test_the_default_is_clicks_counted_over_30_days(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    assert await analytics(client, tenant) == {"clicks": 5, "leads": 0, "sales": 0, "saleAmount": 0}
    assert len(await ok(client, tenant, "/events")) == 5


async def test_another_workspace_sees_none_of_it(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, events: Scenario
) -> None:
    zero = {"clicks": 0, "leads": 0, "sales": 0, "saleAmount": 0}
    assert await analytics(client, other_tenant, event="composite", interval="all") == zero
    assert await analytics(client, other_tenant, interval="all", groupBy="top_links") == []
    for event in ("clicks", "leads", "sales"):
        assert await ok(client, other_tenant, "/events", event=event, interval="all") == []
    assert measures(await analytics(client, tenant, event="composite", interval="all"))[0] == 5
