"""The older path forms of the analytics API (/analytics/{event}/{endpoint}, and the oldest,
/analytics/{endpoint}), and every route under /api as well (spec §0.1, §7.3)."""

from __future__ import annotations

import httpx
import pytest

from tests.analytics.helpers import Scenario, analytics, assert_error, get, ok, scenario
from tests.support import Tenant


@pytest.fixture
async def events(client: httpx.AsyncClient, tenant: Tenant) -> Scenario:
    return await scenario(client, tenant)


@pytest.mark.parametrize("prefix", ["", "/api"])
async def test_the_deprecated_count_paths_answer_a_number(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario, prefix: str
) -> None:
    for path, count in [
        ("/analytics/clicks/count", 5), ("/analytics/clicks/clicks", 5),
        ("/analytics/leads/count", 6), ("/analytics/sales/count", 3),
        ("/analytics/clicks", 5), ("/analytics/count", 5),
    ]:  # fmt: skip
        assert await ok(client, tenant, prefix + path, interval="all") == count, path


async def test_legacy_timeseries_and_groupings_answer_as_groupby_does(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    cases = [
        ("/analytics/clicks/timeseries", {"event": "clicks", "groupBy": "timeseries"}),
        ("/analytics/leads/country", {"event": "leads", "groupBy": "countries"}),
        ("/analytics/sales/top_links", {"event": "sales", "groupBy": "top_links"}),
        ("/analytics/composite/count", {"event": "composite"}),
        ("/analytics/clicks/device", {"event": "clicks", "groupBy": "devices"}),
        ("/analytics/leads/cities", {"event": "leads", "groupBy": "cities"}),
        ("/analytics/timeseries", {"groupBy": "timeseries"}),
        ("/analytics/leads", {"event": "leads"}),
    ]
    for path, params in cases:
        for prefix in ("", "/api"):
            legacy = await ok(
                client, tenant, prefix + path, interval="24h", timezone="Asia/Kolkata"
            )
            current = await analytics(client, tenant, interval="24h", timezone="Asia/Kolkata",
                                      **params)  # fmt: skip
            assert legacy == current, path
            assert legacy, path
    countries = await ok(client, tenant, "/analytics/leads/country", interval="all")
    assert {row["country"]: row["leads"] for row in countries} == {"DE": 3, "US": 2, "IN": 1}


async def test_legacy_paths_take_the_same_filters(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    alpha = events.alpha["id"]
    assert await ok(client, tenant, "/analytics/clicks/count", interval="all", linkId=alpha) == 3
    assert await ok(client, tenant, "/analytics/leads/count", interval="all", country="-DE") == 3
    response = await get(client, tenant, "/analytics/clicks/count", linkId="link_nothing")
    assert_error(response, 404, "not_found", "Link not found.")


@pytest.mark.parametrize(
    ("path", "message"),
    [("/analytics/clicks/planets", "Unknown analytics path: /analytics/clicks/planets"),
     ("/analytics/views/count", "Unknown analytics path: /analytics/views/count"),
     ("/analytics/planets", "Unknown analytics path: /analytics/planets")],
)  # fmt: skip
async def test_unknown_legacy_paths_are_404(
    client: httpx.AsyncClient, tenant: Tenant, path: str, message: str
) -> None:
    assert_error(await get(client, tenant, path), 404, "not_found", message)


async def test_current_routes_answer_under_api_too(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    for params in ({"event": "composite", "interval": "all"},
                   {"groupBy": "top_links", "interval": "all"}):  # fmt: skip
        assert await ok(client, tenant, "/api/analytics", **params) == await analytics(
            client, tenant, **params
        )
    for event in ("clicks", "leads", "sales"):
        via_api = await ok(client, tenant, "/api/events", event=event, interval="all")
        assert via_api == await ok(client, tenant, "/events", event=event, interval="all")
        assert via_api
