"""The filters Dub documents that need more than a column: UTM parameters of the click's URL,
new and recurring sales, metadata search, Dub's capitalisation of device, browser and OS, and
the filters refused with 422. Each filtered answer is checked against /events, which reads the
events themselves, and against a count made here."""

from __future__ import annotations

import httpx
import pytest

from tests.analytics.helpers import (
    IPHONE,
    WINDOWS_CHROME,
    Json,
    Scenario,
    all_events,
    analytics,
    assert_error,
    get,
    scenario,
    visit,
)
from tests.support import Tenant
from tests.tracking.helpers import Tracker

MEASURES = ("clicks", "leads", "sales", "saleAmount")


def measures(row: Json) -> tuple[int, ...]:
    return tuple(row[name] for name in MEASURES)


async def listed(client: httpx.AsyncClient, tenant: Tenant, **params: str) -> tuple[int, ...]:
    """(clicks, leads, sales, sale amount) as /events lists them."""
    found = {
        event: await all_events(client, tenant, limit=100, event=event, interval="all", **params)
        for event in ("clicks", "leads", "sales")
    }
    amount = sum(row["sale"]["amount"] for row in found["sales"])
    return len(found["clicks"]), len(found["leads"]), len(found["sales"]), amount


async def both_ways(client: httpx.AsyncClient, tenant: Tenant, **params: str) -> tuple[int, ...]:
    """The composite count; /events must list the same events."""
    total = measures(await analytics(client, tenant, event="composite", interval="all", **params))
    assert await listed(client, tenant, **params) == total, params
    return total


NEWS = (
    "https://example.com/a?utm_source=news+letter&utm_medium=email&utm_campaign=spring%20sale#top"
)
LETTER = "https://example.com/b?ref=x&utm_source=newsletter&utm_medium=Email&utm_term=a/b:c"
BARE = "https://example.com/c?source=news+letter"


@pytest.fixture
async def utm_links(client: httpx.AsyncClient, track: Tracker) -> dict[str, Json]:
    """Clicks: 2 on `news`, 3 on `letter`, 1 on `bare` (no UTM parameters)."""
    links = {
        "news": await track.link(key="news", url=NEWS),
        "letter": await track.link(key="letter", url=LETTER),
        "bare": await track.link(key="bare", url=BARE),
    }
    for name, n in (("news", 2), ("letter", 3), ("bare", 1)):
        for _ in range(n):
            await visit(client, links[name])
    return links


@pytest.mark.parametrize(
    ("params", "clicks"),
    [
        ({"utm_source": "news letter"}, 2),  # decoded: + and %20 both read as a space
        ({"utm_source": "newsletter"}, 3),
        ({"utm_source": "news"}, 0),  # the whole value, not its start
        ({"utm_source": "news letter,newsletter"}, 5),
        ({"utm_source": "-newsletter"}, 3),  # bare has none, so it is not newsletter
        ({"utm_medium": "email"}, 2),  # values are case-sensitive, as on Dub
        ({"utm_medium": "Email"}, 3),
        ({"utm_campaign": "spring sale"}, 2),
        ({"utm_campaign": "spring sale", "utm_medium": "Email"}, 0),
        ({"utm_term": "x"}, 0),
        ({"utm_term": "a/b:c"}, 3),  # signs a query string may hold unescaped
        ({"utm_content": "-x"}, 6),
    ],
)
async def test_utm_filters_match_the_parameters_of_the_clicks_url(
    client: httpx.AsyncClient, tenant: Tenant, utm_links: dict[str, Json], params: dict[str, str],
    clicks: int,
) -> None:  # fmt: skip
    assert await both_ways(client, tenant, **params) == (clicks, 0, 0, 0)
    rows = await analytics(client, tenant, interval="all", groupBy="top_links", **params)
    assert sum(row["clicks"] for row in rows) == clicks


async def test_each_utm_grouping_row_is_what_its_filter_counts(
    client: httpx.AsyncClient, tenant: Tenant, utm_links: dict[str, Json]
) -> None:
    for parameter in ("utm_source", "utm_medium", "utm_campaign"):
        rows = await analytics(client, tenant, interval="all", groupBy=f"{parameter}s")
        assert rows, parameter
        for row in rows:
            filtered = await analytics(
                client, tenant, interval="all", **{parameter: row[parameter]}
            )
            assert filtered["clicks"] == row["clicks"], (parameter, row)


@pytest.fixture
async def events(client: httpx.AsyncClient, tenant: Tenant) -> Scenario:
    return await scenario(client, tenant)


async def test_leads_and_sales_are_filtered_by_their_clicks_utm_parameters(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    """The scenario's alpha link carries utm_source=news; beta has no UTM parameters."""
    alpha = (3, 4, 2, events.amounts["alpha"])
    beta = (2, 2, 1, events.amounts["beta"])
    assert await both_ways(client, tenant, utm_source="news") == alpha
    assert await both_ways(client, tenant, utm_source="-news") == beta
    assert await both_ways(client, tenant, utm_campaign="spring", utm_medium="email") == alpha


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"device": "mobile"}, (1, 3, 2)),
        ({"device": "-mobile"}, (4, 3, 1)),
        ({"browser": "chrome"}, (2, 3, 1)),
        ({"browser": "mobile safari,safari"}, (3, 3, 2)),
        ({"os": "iOS"}, (1, 3, 2)),
        ({"os": "ios"}, (0, 0, 0)),  # Dub reads it as "Ios", which no click has
    ],
)
async def test_device_browser_and_os_values_are_capitalised_as_dub_does(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario, params: dict[str, str],
    expected: tuple[int, int, int],
) -> None:  # fmt: skip
    assert (await both_ways(client, tenant, **params))[:3] == expected


async def test_sales_are_new_or_recurring_per_customer_and_link(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    """A customer's first sale through a link is new, every later one recurring, whichever
    window is asked for; clicks and leads are not sales and are not filtered."""
    one, two = await track.link(key="one"), await track.link(key="two")
    for external, link in (("u1", one), ("u2", two)):
        click = await visit(client, link)
        await track.lead(clickId=click, eventName="Sign up", customerExternalId=external)
    amounts = [("u1", 100), ("u1", 200), ("u1", 400), ("u2", 800), ("u2", 1600)]
    for external, amount in amounts:
        await track.sale(customerExternalId=external, amount=amount)
    tenant = track.tenant
    assert await both_ways(client, tenant, saleType="new") == (2, 2, 2, 900)
    assert await both_ways(client, tenant, saleType="recurring") == (2, 2, 3, 2200)
    assert await both_ways(client, tenant, saleType="new", linkId=two["id"]) == (1, 1, 1, 800)
    sales = await all_events(client, tenant, event="sales", interval="24h", saleType="recurring")
    assert sorted(row["sale"]["amount"] for row in sales) == [200, 400, 1600]


@pytest.fixture
async def with_metadata(client: httpx.AsyncClient, track: Tracker) -> Json:
    """Leads with metadata {plan: pro, seats: 5}, {plan: free, seats: 2}, {plan: pro,
    seats: "12"} (seats as text), one without; a sale of 1000 on the first customer with
    {coupon: SPRING, tier: {name: gold}}."""
    link = await track.link(key="meta")
    metadata: list[Json | None] = [
        {"plan": "pro", "seats": 5}, {"plan": "free", "seats": 2},
        {"plan": "pro", "seats": "12"}, None,
    ]  # fmt: skip
    for n, given in enumerate(metadata):
        body: Json = {"clickId": await visit(client, link), "eventName": "Sign up",
                      "customerExternalId": f"m{n}"}  # fmt: skip
        if given is not None:
            body["metadata"] = given
        await track.lead(**body)
    await track.sale(customerExternalId="m0", amount=1000,
                     metadata={"coupon": "SPRING", "tier": {"name": "gold"}})  # fmt: skip
    return link


@pytest.mark.parametrize(
    ("query", "leads", "sales"),
    [
        ("metadata['plan']:'pro'", 2, 0),
        ('metadata["plan"]:pro', 2, 0),
        ("metadata['plan']!='pro'", 2, 1),  # a missing key reads as "", as on Dub
        ("metadata['plan']:pro AND metadata['seats']>3", 1, 0),  # "12" is text, not a number
        ("metadata['seats']>=2 and metadata['seats']<5", 1, 0),
        ("metadata['seats']:5", 1, 0),  # a number equals its JSON text
        ("metadata['coupon']:SPRING", 0, 1),
        ("metadata['coupon']:spring", 0, 0),
        ("metadata['tier']['name']:gold", 0, 1),
        ("metadata['tier.name']:gold", 0, 1),
    ],
)
async def test_query_searches_the_metadata_of_leads_and_sales(
    client: httpx.AsyncClient, tenant: Tenant, with_metadata: Json, query: str, leads: int,
    sales: int,
) -> None:  # fmt: skip
    """Clicks carry no metadata: an equality matches none of them, an inequality all."""
    clicks = 4 if "!=" in query else 0
    amount = 1000 * sales
    assert await both_ways(client, tenant, query=query) == (clicks, leads, sales, amount)


@pytest.mark.parametrize("path", ["/analytics", "/events"])
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"groupId": "-grp_1", "country": "US"},
         "custom: groupId: clicktrail has no partner groups, so it cannot filter by group."),
        ({"query": "metadata['plan']:pro OR metadata['seats']>3"},
         "custom: query: OR is not supported; conditions can only be joined by AND."),
        ({"query": "metadata['a;b']:x"},
         "custom: query: metadata keys may hold only letters, digits and _ in "
         "\"metadata['a;b']:x\"."),
        ({"query": "metadata['seats']>inf"},
         "custom: query: > compares numbers, and 'inf' is not one."),
        ({"query": "metadata['a']:" + "x" * 10_000},
         "too_big: query: Too big: expected string to have <=10000 characters"),
        ({"query": "plan:pro"},
         "custom: query: cannot read 'plan:pro'; write metadata['key']:'value'."),
    ],
)  # fmt: skip
async def test_filters_that_cannot_be_honoured_are_refused_by_name(
    client: httpx.AsyncClient, tenant: Tenant, path: str, params: dict[str, str], message: str
) -> None:
    assert_error(await get(client, tenant, path, **params), 422, "unprocessable_entity", message)


async def test_empty_filters_are_no_filters(
    client: httpx.AsyncClient, tenant: Tenant, events: Scenario
) -> None:
    """Dub drops an empty value before it reads it, so `tagId=` filters nothing."""
    everything = await both_ways(client, tenant)
    assert await both_ways(client, tenant, tagId="", saleType="", query="", utm_source="") == (
        everything
    )


async def test_an_iphone_and_a_windows_agent_are_told_apart(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    link = await track.link(key="agents")
    await visit(client, link, ua=IPHONE)
    await visit(client, link, ua=WINDOWS_CHROME)
    rows = await analytics(client, track.tenant, interval="all", groupBy="devices")
    for row in rows:
        lower = await analytics(client, track.tenant, interval="all", device=row["device"].lower())
        assert lower["clicks"] == row["clicks"], row


async def test_tags_filter_the_events_of_their_links(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    """`tagId` and `tagIds` keep the events of links with any of the tags; `-` those of links
    with none of them."""
    auth = track.tenant.auth
    spring, autumn = [
        (await client.post("/tags", json={"name": name}, headers=auth)).json()["id"]
        for name in ("spring", "autumn")
    ]
    links = {
        "both": await track.link(key="both", tagIds=[spring, autumn]),
        "spring": await track.link(key="spring", tagIds=[spring]),
        "none": await track.link(key="untagged"),
    }
    for name, n in (("both", 1), ("spring", 2), ("none", 4)):
        for _ in range(n):
            await visit(client, links[name])
    tenant = track.tenant
    assert (await both_ways(client, tenant, tagId=spring))[0] == 3
    assert (await both_ways(client, tenant, tagIds=autumn))[0] == 1
    assert (await both_ways(client, tenant, tagIds=f"{spring},{autumn}"))[0] == 3
    assert (await both_ways(client, tenant, tagIds=f"-{autumn}"))[0] == 6
    assert (await both_ways(client, tenant, tagId="tag_unknown"))[0] == 0
