"""Fifty identical requests at once, over real HTTP: one lead, one sale, one answer."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import BROWSER_UA
from tests.support import LiveServer, Tenant, fetch, make_tenant

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
    assert len(await fetch(settings, "SELECT id FROM sales")) == 1
    link = (await fetch(settings, "SELECT sales, sale_amount FROM links"))[0]
    assert link == {"sales": 1, "sale_amount": 2500}


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
    link = (await fetch(live_server.settings, "SELECT sales, conversions FROM links"))[0]
    assert link == {"sales": 20, "conversions": 1}
    [customer] = await fetch(live_server.settings, "SELECT sales, sale_amount FROM customers")
    assert customer == {"sales": 20, "sale_amount": 2000}
