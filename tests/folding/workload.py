"""A mixed workload over HTTP: new visitors on a few links, leads for some of their clicks,
sales (several per buyer) for some of the leads, all at once."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import BROWSER_UA
from tests.support import Tenant


async def make_links(http: httpx.AsyncClient, tenant: Tenant, n: int) -> list[str]:
    keys = []
    for i in range(n):
        body = {"url": f"https://example.com/{i}", "key": f"fold{i}", "trackConversion": True}
        made = await http.post("/links", json=body, headers=tenant.auth)
        assert made.status_code == 200, made.text
        keys.append(f"fold{i}")
    return keys


async def visit(http: httpx.AsyncClient, key: str, visitor: str) -> str:
    """A new visitor: without the cookie of an earlier visit, which would carry its click on."""
    http.cookies.clear()
    answer = await http.get(f"/{key}", headers={"User-Agent": f"{BROWSER_UA} {visitor}"})
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)["dub_id"][0]


async def journey(http: httpx.AsyncClient, tenant: Tenant, key: str, n: int) -> None:
    """A visitor; every third converts to a lead, every sixth buys twice."""
    click = await visit(http, key, f"v{n}")
    if n % 3:
        return
    lead = {"clickId": click, "eventName": "Sign up", "customerExternalId": f"c{n}"}
    answered = await http.post("/track/lead", json=lead, headers=tenant.auth)
    assert answered.status_code == 200, answered.text
    for i in range(2 if n % 6 == 0 else 0):
        sale = {"customerExternalId": f"c{n}", "amount": 100 + n, "invoiceId": f"in_{n}_{i}"}
        answered = await http.post("/track/sale", json=sale, headers=tenant.auth)
        assert answered.status_code == 200, answered.text


async def mixed(http: httpx.AsyncClient, tenant: Tenant, keys: list[str], n: int) -> None:
    await asyncio.gather(*(journey(http, tenant, keys[i % len(keys)], i) for i in range(n)))
