"""GET /events rows as Dub shapes them (spec §7.2): the nested click, link, customer and sale,
the deprecated flat fields beside them, ordering, paging and the time window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.analytics.helpers import DE, IPHONE, US, Json, all_events, ok, visit
from tests.support import Tenant
from tests.tracking.helpers import Tracker

ISO = "%Y-%m-%dT%H:%M:%S.%fZ"
GOOGLE = "https://www.google.com/search?q=clicktrail&hl=de"


def instant(text: str) -> datetime:
    assert text.endswith("Z"), text
    assert len(text) == 24, text  # 2025-01-01T00:00:00.000Z
    return datetime.strptime(text, ISO).replace(tzinfo=UTC)


async def events(client: httpx.AsyncClient, tenant: Tenant, **params: str | int) -> list[Json]:
    rows: list[Json] = await ok(client, tenant, "/events", **params)
    return rows


async def test_a_click_row_has_the_click_the_link_and_the_flat_fields(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    link = await track.link(key="row")
    click_id = await visit(client, link, place=DE, ua=IPHONE, referer=GOOGLE, qr=True)
    [row] = await events(client, track.tenant)
    info = await ok(client, track.tenant, "/links/info", linkId=link["id"])
    click = row["click"]
    assert row["event"] == "click"
    assert row["timestamp"] == click["timestamp"]
    assert abs(instant(click["timestamp"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert click | {"timestamp": None, "ip": None} == {
        "id": click_id, "timestamp": None, "url": "https://example.com/pricing",
        "country": "DE", "city": "Berlin", "region": "DE-BE", "continent": "EU",
        "device": "Mobile", "browser": "Mobile Safari", "os": "iOS", "ua": IPHONE,
        "trigger": "qr", "referer": "google.com",
        "refererUrl": "https://www.google.com/search", "qr": True, "ip": None,
    }  # fmt: skip
    assert click["ip"].startswith("198.51.")
    assert row["link"] == info
    assert row["link"]["clicks"] == 1
    flat = {name: row[name] for name in (
        "click_id", "link_id", "domain", "key", "url", "continent", "country", "city", "device",
        "browser", "os", "qr", "ip",
    )}  # fmt: skip
    assert flat == {
        "click_id": click_id, "link_id": link["id"], "domain": link["domain"], "key": "row",
        "url": "https://example.com/pricing", "continent": "EU", "country": "DE",
        "city": "Berlin", "device": "Mobile", "browser": "Mobile Safari", "os": "iOS",
        "qr": 1, "ip": click["ip"],
    }  # fmt: skip
    assert type(row["qr"]) is int  # a number here, a boolean in `click`
    assert isinstance(click["qr"], bool)


async def test_a_plain_visit_is_a_link_trigger_from_nowhere(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    link = await track.link(key="plain")
    await visit(client, link, place=US)
    [row] = await events(client, track.tenant)
    assert (row["click"]["trigger"], row["click"]["qr"], row["qr"]) == ("link", False, 0)
    assert (row["click"]["referer"], row["click"]["refererUrl"]) == ("(direct)", "(direct)")
    assert row["click"]["region"] == "US-CA"


async def test_a_lead_row_has_its_customer_and_metadata(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    link = await track.link(key="lead")
    click_id = await visit(client, link, place=DE)
    answer = await track.lead(
        clickId=click_id, eventName="Sign up", customerExternalId="ada-1", customerName="Ada",
        customerEmail="ada@example.com", customerAvatar="https://example.com/ada.png",
        eventQuantity=3, metadata={"plan": "pro", "seats": 3},
    )  # fmt: skip
    await track.lead(clickId=click_id, eventName="Trial", customerExternalId="ada-1")
    rows = await events(client, track.tenant, event="leads")
    assert [row["eventName"] for row in rows] == ["Trial", "Sign up", "Sign up", "Sign up"]
    assert len({row["eventId"] for row in rows}) == 4
    signup = rows[1]
    assert signup["event"] == "lead"
    assert signup["click"]["id"] == signup["click_id"] == click_id
    assert signup["link"]["id"] == signup["link_id"] == link["id"]
    assert signup["metadata"] == {"plan": "pro", "seats": 3}
    assert "metadata" not in rows[0]
    customer = signup["customer"]
    assert customer | {"createdAt": None} == {
        "id": answer["customer"]["id"], "externalId": "ada-1", "name": "Ada",
        "email": "ada@example.com", "avatar": "https://example.com/ada.png", "country": "DE",
        "createdAt": None,
    }  # fmt: skip
    assert instant(customer["createdAt"]) <= instant(signup["timestamp"])
    assert instant(signup["click"]["timestamp"]) <= instant(signup["timestamp"])


async def test_a_sale_row_has_the_sale_and_its_deprecated_copies(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    link = await track.link(key="sale")
    await track.lead(
        clickId=await visit(client, link), eventName="Sign up", customerExternalId="u1"
    )
    await track.sale(customerExternalId="u1", amount=4900, invoiceId="in_1",
                     paymentProcessor="stripe", metadata={"plan": "pro"})  # fmt: skip
    euro = await track.sale(customerExternalId="u1", amount=1000, currency="EUR",
                            eventName="Upgrade")  # fmt: skip
    newest, oldest = await events(client, track.tenant, event="sales")
    assert oldest["sale"] == {
        "amount": 4900, "currency": "usd", "invoiceId": "in_1", "paymentProcessor": "stripe",
    }  # fmt: skip
    assert (oldest["saleAmount"], oldest["invoice_id"], oldest["payment_processor"]) == (
        4900, "in_1", "stripe",
    )  # fmt: skip
    assert (oldest["eventName"], oldest["metadata"]) == ("Purchase", {"plan": "pro"})
    assert newest["sale"] == {
        "amount": euro["sale"]["amount"], "currency": "usd", "invoiceId": None,
        "paymentProcessor": "custom",
    }  # fmt: skip
    assert newest["sale"]["amount"] > 1000  # converted to US cents
    assert (newest["invoice_id"], newest["saleAmount"]) == ("", newest["sale"]["amount"])
    assert newest["eventName"] == "Upgrade"
    assert "metadata" not in newest
    assert newest["customer"]["externalId"] == "u1"
    assert newest["link"]["sales"] == 2


async def test_a_deleted_customer_shows_as_deleted(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    link = await track.link(key="gone")
    answer = await track.lead(clickId=await visit(client, link), eventName="Sign up",
                              customerExternalId="u1")  # fmt: skip
    await track.sale(customerExternalId="u1", amount=100)
    customer_id = answer["customer"]["id"]
    deleted = await client.delete(f"/customers/{customer_id}", headers=track.tenant.auth)
    assert deleted.status_code == 200, deleted.text
    for event in ("leads", "sales"):
        [row] = await events(client, track.tenant, event=event)
        assert row["customer"] == {
            "id": customer_id, "name": "Deleted Customer", "email": "deleted@customer.com",
            "externalId": customer_id, "avatar": None, "country": None,
            "createdAt": "1970-01-01T00:00:00.000Z",
        }  # fmt: skip
    assert len(await events(client, track.tenant, event="leads", customerId=customer_id)) == 1


@pytest.fixture
async def clicks(client: httpx.AsyncClient, track: Tracker) -> list[str]:
    """Seven clicks on two links, oldest first."""
    first, second = await track.link(key="one"), await track.link(key="two")
    return [await visit(client, first if n % 2 else second) for n in range(7)]


async def test_newest_first_by_default_and_oldest_first_when_asked(
    client: httpx.AsyncClient, tenant: Tenant, clicks: list[str]
) -> None:
    newest = [row["click_id"] for row in await events(client, tenant)]
    assert newest == clicks[::-1]
    for params in ({"sortOrder": "asc"}, {"order": "asc"}, {"sortOrder": "asc", "order": "desc"},
                   {"sortBy": "timestamp", "sortOrder": "asc"}):  # fmt: skip
        assert [row["click_id"] for row in await events(client, tenant, **params)] == clicks
    assert [row["click_id"] for row in await events(client, tenant, order="desc")] == newest


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_pages_follow_each_other_without_overlap(
    client: httpx.AsyncClient, tenant: Tenant, clicks: list[str], order: str
) -> None:
    pages = [
        [row["click_id"] for row in await events(client, tenant, page=n, limit=3, sortOrder=order)]
        for n in (1, 2, 3, 4)
    ]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    expected = clicks if order == "asc" else clicks[::-1]
    assert pages[0] + pages[1] + pages[2] == expected
    everything = await all_events(client, tenant, limit=2, sortOrder=order)
    assert [row["click_id"] for row in everything] == expected


async def test_leads_of_one_request_page_without_overlap(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    """Leads of one eventQuantity share their timestamp; paging must still see each once."""
    link = await track.link(key="many")
    await track.lead(clickId=await visit(client, link), eventName="Seat", customerExternalId="u1",
                     eventQuantity=9)  # fmt: skip
    ids = [row["eventId"] for row in await all_events(client, track.tenant, limit=2, event="leads")]
    assert len(ids) == len(set(ids)) == 9
    everything = await events(client, track.tenant, event="leads", limit=100)
    assert [row["eventId"] for row in everything] == ids


async def test_the_time_window_bounds_the_rows(
    client: httpx.AsyncClient, tenant: Tenant, clicks: list[str]
) -> None:
    now = datetime.now(UTC)
    hour_ago, later = (now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=1)).isoformat()
    assert len(await events(client, tenant, start=hour_ago)) == 7
    assert len(await events(client, tenant, start=hour_ago, end=later)) == 7
    assert len(await events(client, tenant, start=later, end=hour_ago)) == 7  # swapped
    # A custom range is whole days: one ending yesterday, or starting tomorrow, has none of them.
    yesterday, tomorrow = (now - timedelta(days=1)).date(), (now + timedelta(days=1)).date()
    assert await events(client, tenant, start="2024-01-01", end=yesterday.isoformat()) == []
    assert await events(client, tenant, start=tomorrow.isoformat(), end=tomorrow.isoformat()) == []
    for interval in ("24h", "7d", "30d", "90d", "1y", "mtd", "qtd", "ytd", "all"):
        assert len(await events(client, tenant, interval=interval)) == 7, interval


async def test_events_of_another_kind_are_not_listed(
    client: httpx.AsyncClient, track: Tracker
) -> None:
    link = await track.link(key="kinds")
    click_id = await visit(client, link)
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    assert [row["event"] for row in await events(client, track.tenant)] == ["click"]
    assert [row["event"] for row in await events(client, track.tenant, event="leads")] == ["lead"]
    assert await events(client, track.tenant, event="sales") == []
