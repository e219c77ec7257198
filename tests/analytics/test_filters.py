"""Filters on /analytics and /events: comma lists, a leading `-` that excludes, filters on the
link and on the click (which a lead or sale inherits), and the customer. What the rollups
answer must equal what the events themselves answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from clicktrail.analytics.service import GroupBy
from tests.analytics.helpers import (
    ALPHA_URL,
    US,
    Json,
    Scenario,
    all_events,
    analytics,
    scenario,
    visit,
)
from tests.support import Tenant
from tests.tracking.helpers import Tracker

MEASURES = ("clicks", "leads", "sales", "saleAmount")
HOUR = timedelta(hours=1)
NOBODYS = "-XX"  # a country nobody visits from: excluding it keeps everything, read raw


@pytest.fixture
async def events(client: httpx.AsyncClient, tenant: Tenant) -> Scenario:
    return await scenario(client, tenant)


def measures(row: Json) -> tuple[int, ...]:
    return tuple(row[name] for name in MEASURES)


def amount_of(events: Scenario, whose: str) -> int:
    return {"alpha": events.amounts["alpha"], "beta": events.amounts["beta"], "none": 0,
            "both": events.amounts["alpha"] + events.amounts["beta"]}[whose]  # fmt: skip


async def by_events(client: httpx.AsyncClient, tenant: Tenant, **params: str) -> tuple[int, ...]:
    found = {
        event: await all_events(client, tenant, limit=100, event=event, interval="all", **params)
        for event in ("clicks", "leads", "sales")
    }
    amount = sum(row["sale"]["amount"] for row in found["sales"])
    return len(found["clicks"]), len(found["leads"]), len(found["sales"]), amount


# (filters, clicks, leads, sales, whose sales) in the scenario: alpha's clicks come from the US
# (Safari), DE (an iPhone, by QR code, from Google; u1's 3 leads and 2 sales) and IN (Chrome,
# from Hacker News; u2's lead); beta's from the US (Chrome; u3's 2 leads and sale) and DE
# (Safari).
Case = tuple[dict[str, str], int, int, int, str]
PLACES: list[Case] = [
    ({}, 5, 6, 3, "both"),
    ({"country": "DE"}, 2, 3, 2, "alpha"),
    ({"country": "DE,IN"}, 3, 4, 2, "alpha"),
    ({"country": " DE , IN "}, 3, 4, 2, "alpha"),
    ({"country": "-DE"}, 3, 3, 1, "beta"),
    ({"country": "-DE,IN"}, 2, 2, 1, "beta"),
    ({"country": NOBODYS}, 5, 6, 3, "both"),
    ({"country": "FR"}, 0, 0, 0, "none"),
    ({"continent": "EU"}, 2, 3, 2, "alpha"),
    ({"city": "Berlin,Mumbai"}, 3, 4, 2, "alpha"),
    ({"region": "DE-BE"}, 2, 3, 2, "alpha"),
    ({"region": "BE"}, 2, 3, 2, "alpha"),
    ({"region": "-US-CA"}, 3, 4, 2, "alpha"),
]
AGENTS: list[Case] = [
    ({"device": "Mobile"}, 1, 3, 2, "alpha"),
    ({"device": "-Mobile"}, 4, 3, 1, "beta"),
    ({"browser": "Chrome"}, 2, 3, 1, "beta"),
    ({"browser": "Safari,Mobile Safari"}, 3, 3, 2, "alpha"),
    ({"browser": "-Chrome"}, 3, 3, 2, "alpha"),
    ({"os": "iOS"}, 1, 3, 2, "alpha"),
]
ORIGINS: list[Case] = [
    ({"trigger": "qr"}, 1, 3, 2, "alpha"),
    ({"qr": "true"}, 1, 3, 2, "alpha"),
    ({"qr": "false"}, 4, 3, 1, "beta"),
    ({"referer": "google.com"}, 1, 3, 2, "alpha"),
    ({"referer": "-(direct)"}, 2, 4, 2, "alpha"),
    ({"refererUrl": "https://www.google.com/search?q=x"}, 1, 3, 2, "alpha"),
    ({"url": ALPHA_URL}, 3, 4, 2, "alpha"),
]
COMBINED: list[Case] = [
    ({"country": "DE", "device": "Desktop"}, 1, 0, 0, "none"),
    ({"country": "US", "browser": "Chrome"}, 1, 2, 1, "beta"),
    ({"root": "true"}, 0, 0, 0, "none"),
    ({"root": "false"}, 5, 6, 3, "both"),
]


@pytest.mark.parametrize("cases", [PLACES, AGENTS, ORIGINS, COMBINED],
                         ids=["places", "agents", "origins", "combined"])  # fmt: skip
async def test_filters_on_the_click(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario, cases: list[Case]
) -> None:
    for filters, clicks, leads, sales, whose in cases:
        expected = (clicks, leads, sales, amount_of(events, whose))
        total = await analytics(client, tenant, event="composite", interval="all", **filters)
        assert measures(total) == expected, filters
        assert await by_events(client, tenant, **filters) == expected, filters


async def test_filters_on_the_link(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    alpha, beta, gamma = events.alpha["id"], events.beta["id"], events.gamma["id"]
    domain = events.alpha["domain"]
    a, b = (3, 4, 2, events.amounts["alpha"]), (2, 2, 1, events.amounts["beta"])
    both = tuple(x + y for x, y in zip(a, b, strict=True))
    cases = [
        ({"linkId": alpha}, a),
        ({"linkId": beta}, b),
        ({"linkId": gamma}, (0, 0, 0, 0)),
        ({"linkId": f"{alpha},{beta}"}, both),
        ({"linkId": f"{alpha},{gamma}"}, a),
        ({"linkId": f"-{alpha}"}, b),
        ({"linkId": f"-{alpha},{beta}"}, (0, 0, 0, 0)),
        ({"domain": domain, "key": "beta"}, b),
        ({"domain": domain, "key": "ALPHA"}, a),  # keys are matched case-insensitively
        ({"domain": domain, "key": "alpha,beta"}, both),
        ({"domain": domain, "key": "-alpha"}, b),
        ({"domain": domain}, both),
        ({"domain": "elsewhere.example"}, (0, 0, 0, 0)),
        ({"linkId": alpha, "country": "DE"}, (1, 3, 2, events.amounts["alpha"])),
    ]
    for filters, expected in cases:
        total = await analytics(client, tenant, event="composite", interval="all", **filters)
        assert measures(total) == expected, filters
        assert await by_events(client, tenant, **filters) == expected, filters


async def test_external_and_tenant_ids_name_a_link(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    link = await track.link(key="partner", externalId="promo-7", tenantId="tenant-9")
    other = await track.link(key="plain")
    for target in (link, link, other):
        await visit(client, target, place=US)
    named: list[dict[str, Any]] = [{"externalId": "ext_promo-7"}, {"tenantId": "tenant-9"}]
    for filters in named:
        assert (await analytics(client, track.tenant, interval="all", **filters))["clicks"] == 2
        assert len(await all_events(client, track.tenant, interval="all", **filters)) == 2
    assert (await analytics(client, track.tenant, tenantId="-tenant-9"))["clicks"] == 1


async def test_a_customer_filters_their_leads_and_sales_and_the_clicks_that_brought_them(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    u1, u3 = events.customers["u1"], events.customers["u3"]
    alpha_amount, beta_amount = events.amounts["alpha"], events.amounts["beta"]
    cases = [
        ({"customerId": u1}, (1, 3, 2, alpha_amount)),
        ({"customerId": f"{u1},{u3}"}, (2, 5, 3, alpha_amount + beta_amount)),
        ({"customerId": f"-{u1}"}, (4, 3, 1, beta_amount)),
        ({"customerId": "cus_nobody"}, (0, 0, 0, 0)),
    ]
    for filters, expected in cases:
        total = await analytics(client, tenant, event="composite", interval="all", **filters)
        assert measures(total) == expected, filters
        assert await by_events(client, tenant, **filters) == expected, filters
    leads = await all_events(client, tenant, event="leads", interval="all", customerId=u1)
    assert {row["customer"]["id"] for row in leads} == {u1}
    assert {row["click"]["id"] for row in leads} == {events.clicks["alpha-de"]}


PARTIAL = {GroupBy.top_link_tags, GroupBy.top_folders}


@pytest.mark.parametrize("event", ["composite", "clicks", "leads", "sales"])
async def test_rollups_and_raw_events_give_the_same_groups(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario, event: str
) -> None:
    total = measures(await analytics(client, tenant, event=event, interval="all"))
    for group_by in GroupBy:
        common = {"event": event, "interval": "all", "groupBy": group_by.value}
        rolled = await analytics(client, tenant, **common)
        assert rolled == await analytics(client, tenant, country=NOBODYS, **common), group_by
        # Only alpha's URL has UTM parameters; no link has a tag or a folder.
        partial = group_by.value.startswith("utm_") or group_by in PARTIAL
        if not partial:
            rows = [rolled] if group_by is GroupBy.total else rolled
            assert tuple(sum(row[m] for row in rows) for m in MEASURES) == total, group_by
    for group_by in (GroupBy.total, GroupBy.timeseries, GroupBy.top_links, GroupBy.cities):
        common = {"event": event, "interval": "24h", "groupBy": group_by.value}
        rolled = await analytics(client, tenant, **common)
        assert rolled == await analytics(client, tenant, country=NOBODYS, **common), group_by


async def test_a_single_links_rollups_agree_with_its_events(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    """One link alone is read from its own rollup rows; in a list, from the events."""
    alpha = events.alpha["id"]
    for group_by in ("count", "timeseries"):
        for interval in ("all", "24h", "30d"):
            common = {"event": "composite", "interval": interval, "groupBy": group_by}
            rolled = await analytics(client, tenant, linkId=alpha, **common)
            raw = await analytics(client, tenant, linkId=f"{alpha},link_nothing", **common)
            assert rolled == raw, common


async def test_groupings_name_their_values(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    def grouped(rows: list[Json], *names: str) -> dict[tuple[str, ...], tuple[int, ...]]:
        return {tuple(row[n] for n in names): measures(row) for row in rows}

    async def rows(group_by: str) -> list[Json]:
        found: list[Json] = await analytics(
            client, tenant, event="composite", interval="all", groupBy=group_by
        )
        return found

    alpha = events.amounts["alpha"]
    assert grouped(await rows("cities"), "country", "region", "city") == {
        ("DE", "DE-BE", "Berlin"): (2, 3, 2, alpha),
        ("US", "US-CA", "San Francisco"): (2, 2, 1, 2500),
        ("IN", "IN-MH", "Mumbai"): (1, 1, 0, 0),
    }
    assert grouped(await rows("regions"), "country", "region", "city") == {
        ("DE", "DE-BE", "*"): (2, 3, 2, alpha),
        ("US", "US-CA", "*"): (2, 2, 1, 2500),
        ("IN", "IN-MH", "*"): (1, 1, 0, 0),
    }
    assert grouped(await rows("continents"), "continent") == {
        ("EU",): (2, 3, 2, alpha), ("NA",): (2, 2, 1, 2500), ("AS",): (1, 1, 0, 0),
    }  # fmt: skip
    assert grouped(await rows("devices"), "device") == {
        ("Mobile",): (1, 3, 2, alpha), ("Desktop",): (4, 3, 1, 2500),
    }  # fmt: skip
    assert grouped(await rows("triggers"), "trigger") == {
        ("qr",): (1, 3, 2, alpha), ("link",): (4, 3, 1, 2500),
    }  # fmt: skip
    assert grouped(await rows("referers"), "referer") == {
        ("google.com",): (1, 3, 2, alpha), ("news.ycombinator.com",): (1, 1, 0, 0),
        ("(direct)",): (3, 2, 1, 2500),
    }  # fmt: skip
    assert grouped(await rows("utm_sources"), "utm_source") == {("news",): (3, 4, 2, alpha)}
    assert grouped(await rows("utm_campaigns"), "utm_campaign") == {("spring",): (3, 4, 2, alpha)}
    assert await rows("utm_terms") == []
    assert grouped(await rows("top_urls"), "url") == {
        (ALPHA_URL,): (3, 4, 2, alpha), ("https://example.com/pricing",): (2, 2, 1, 2500),
    }  # fmt: skip
    top = await rows("top_links")
    assert [row["key"] for row in top] == ["alpha", "beta"]  # most clicks first
    assert top[0]["shortLink"] == events.alpha["shortLink"]
    assert top[0]["link"] == top[0]["id"] == events.alpha["id"]


async def test_rows_are_ranked_by_the_requested_measure(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    by_clicks = await analytics(client, tenant, interval="all", groupBy="countries")
    assert [(r["country"], r["clicks"]) for r in by_clicks] == [("DE", 2), ("US", 2), ("IN", 1)]
    by_leads = await analytics(client, tenant, event="leads", interval="all", groupBy="countries")
    assert [(r["country"], r["leads"]) for r in by_leads] == [("DE", 3), ("US", 2), ("IN", 1)]
    by_sales = await analytics(client, tenant, event="sales", interval="all", groupBy="top_links")
    amounts = [r["saleAmount"] for r in by_sales]
    assert amounts == sorted(amounts, reverse=True)
    assert [r["key"] for r in by_sales] == (
        ["beta", "alpha"] if events.amounts["beta"] > events.amounts["alpha"] else ["alpha", "beta"]
    )


async def test_long_values_are_the_same_whichever_way_they_are_read(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    """Rollups keep the first 500 characters of a value; a URL longer than that must come out
    the same from them as from the events of a range's partial hours."""
    long_url = "https://example.com/" + "a" * 700 + "?utm_source=" + "s" * 200
    referer = "https://ads.example.net/" + "r" * 700
    link = await track.link(key="long", url=long_url)
    for _ in range(2):
        await visit(client, link, place=US, referer=referer)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    whole_hours = {"start": (hour - HOUR).isoformat(), "end": (hour + 2 * HOUR).isoformat()}
    for group_by, name, full in [
        ("top_urls", "url", long_url), ("referer_urls", "refererUrl", referer),
        ("utm_sources", "utm_source", "s" * 200),
    ]:  # fmt: skip
        answers = [
            await analytics(client, track.tenant, groupBy=group_by, **whole_hours),
            await analytics(client, track.tenant, groupBy=group_by, country=NOBODYS, **whole_hours),
            await analytics(client, track.tenant, groupBy=group_by, interval="24h"),
        ]
        assert answers[0] == answers[1] == answers[2], group_by
        [row] = answers[0]
        assert row["clicks"] == 2
        assert full.startswith(row[name])
