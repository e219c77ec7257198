"""Fifty identical requests at once, over real HTTP: one lead, one sale, one answer."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import BROWSER_UA
from tests.support import LiveServer, Tenant, fetch, folded, make_tenant, with_sale_amount

CONCURRENCY = 50


async def tracked_click(http: httpx.AsyncClient, tenant: Tenant) -> str:
    body = {"url": "https://example.com", "trackConversion": True}
    link = (await http.post("/links", json=body, headers=tenant.auth)).json()
    visit = await http.get(f"/{link['key']}", headers={"User-Agent": BROWSER_UA})
    return parse_qs(urlsplit(visit.headers["location"]).query)["dub_id"][0]


async def at_once(
    http: httpx.AsyncClient, tenant: Tenant, path: str, body: object
) -> list[httpx.Response]:
    calls = [http.post(path, json=body, headers=tenant.auth) for _ in range(CONCURRENCY)]
    return list(await asyncio.gather(*calls))


async def test_fifty_identical_leads_record_one(live_server: LiveServer) -> None:
    tenant = await make_tenant(live_server.settings, "acme")
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=live_server.url, limits=limits, timeout=60) as http:
        click_id = await tracked_click(http, tenant)
        body = {"clickId": click_id, "eventName": "Sign up", "customerExternalId": "u1"}
        answers = await at_once(http, tenant, "/track/lead", body)
    assert {r.status_code for r in answers} == {200}
    assert sum(r.json()["link"] is not None for r in answers) == 1  # the rest are duplicates
    settings = live_server.settings
    await folded(settings)
    assert len(await fetch(settings, "SELECT id FROM leads")) == 1
    assert len(await fetch(settings, "SELECT id FROM customers")) == 1
    assert (await fetch(settings, "SELECT leads FROM links"))[0]["leads"] == 1


async def test_fifty_sales_with_one_invoice_record_one(live_server: LiveServer) -> None:
    tenant = await make_tenant(live_server.settings, "acme")
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=live_server.url, limits=limits, timeout=60) as http:
        click_id = await tracked_click(http, tenant)
        lead = {"clickId": click_id, "eventName": "Sign up", "customerExternalId": "u1"}
        await http.post("/track/lead", json=lead, headers=tenant.auth)
        sale = {"customerExternalId": "u1", "amount": 2500, "invoiceId": "in_race"}
        answers = await at_once(http, tenant, "/track/sale", sale)
    assert {r.status_code for r in answers} == {200}
    assert len({r.text for r in answers}) == 1  # every caller got the same body
    assert answers[0].json()["sale"]["amount"] == 2500
    settings = live_server.settings
    await folded(settings)
    assert len(await fetch(settings, "SELECT id FROM sales")) == 1
    link = (await fetch(settings, "SELECT sales, sale_amount_high, sale_amount_low FROM links"))[0]
    assert with_sale_amount(link) == {"sales": 1, "sale_amount": 2500}


async def test_concurrent_first_sales_are_one_conversion(live_server: LiveServer) -> None:
    tenant = await make_tenant(live_server.settings, "acme")
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(base_url=live_server.url, limits=limits, timeout=60) as http:
        click_id = await tracked_click(http, tenant)
        lead = {"clickId": click_id, "eventName": "Sign up", "customerExternalId": "u1"}
        await http.post("/track/lead", json=lead, headers=tenant.auth)
        sales = [
            http.post(
                "/track/sale",
                json={"customerExternalId": "u1", "amount": 100, "invoiceId": f"in_{n}"},
                headers=tenant.auth,
            )
            for n in range(20)
        ]
        answers = await asyncio.gather(*sales)
    assert {r.status_code for r in answers} == {200}
    await folded(live_server.settings)
    link = (await fetch(live_server.settings, "SELECT sales, conversions FROM links"))[0]
    assert link == {"sales": 20, "conversions": 1}
    [customer] = await fetch(
        live_server.settings, "SELECT sales, sale_amount_high, sale_amount_low FROM customers"
    )
    assert with_sale_amount(customer) == {"sales": 20, "sale_amount": 2000}


async def new_visitor(server: LiveServer, path: str, n: int) -> httpx.Response:
    """A visit without the cookie of an earlier one, which would carry its click on."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        return await http.get(path, headers={"User-Agent": f"{BROWSER_UA} visitor/{n}"})


async def test_leads_sales_and_clicks_on_one_link_at_once_count_exactly(
    live_server: LiveServer,
) -> None:
    """Recorded at once, folded afterwards: on PostgreSQL none deadlocks, and not one count
    is lost."""
    tenant = await make_tenant(live_server.settings, "acme")
    n = 15
    limits = httpx.Limits(max_connections=3 * n)
    async with httpx.AsyncClient(base_url=live_server.url, limits=limits, timeout=60) as http:
        click_id = await tracked_click(http, tenant)
        link_id = (await fetch(live_server.settings, "SELECT id FROM links"))[0]["id"]
        lead = {"clickId": click_id, "eventName": "Sign up", "customerExternalId": "buyer"}
        await http.post("/track/lead", json=lead, headers=tenant.auth)
        key = (await fetch(live_server.settings, "SELECT key FROM links"))[0]["key"]
        answers = await asyncio.gather(
            *(http.post("/track/lead", json=lead | {"customerExternalId": f"u{i}"},
                        headers=tenant.auth) for i in range(n)),
            *(http.post("/track/sale", json={"customerExternalId": "buyer", "amount": 100,
                                             "invoiceId": f"in_{i}"}, headers=tenant.auth)
              for i in range(n)),
            *(new_visitor(live_server, f"/{key}", i) for i in range(n)),
        )  # fmt: skip
    assert sorted(r.status_code for r in answers) == [200] * 2 * n + [302] * n
    expected = {"clicks": 1 + n, "leads": 1 + n, "sales": n, "sale_amount": 100 * n}
    await folded(live_server.settings)
    [link] = await fetch(
        live_server.settings,
        "SELECT clicks, leads, sales, sale_amount_high, sale_amount_low, conversions FROM links",
    )
    assert with_sale_amount(link) == expected | {"conversions": 1}
    summed = (
        "SELECT SUM(clicks) AS clicks, SUM(leads) AS leads, SUM(sales) AS sales, "
        "SUM(sale_amount_high) AS sale_amount_high, SUM(sale_amount_low) AS sale_amount_low "
        "FROM rollups WHERE link_id = :link AND grain = :grain"
    )
    for grain in ("h", "d"):
        rows = await fetch(live_server.settings, summed, link=link_id, grain=grain)
        assert {k: int(v) for k, v in with_sale_amount(rows[0]).items()} == expected
    [buyer] = await fetch(
        live_server.settings, "SELECT sales FROM customers WHERE external_id = 'buyer'"
    )
    assert buyer == {"sales": n}
