"""Shared steps of the analytics tests: visits from chosen places and agents, and reads of
/analytics and /events that wait out the per-second rate limit instead of failing on it."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support import Tenant

Json = dict[str, Any]
Params = dict[str, str | int]

MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
PEER = "203.0.113.7"  # the `client` fixture's socket peer, trusted as a proxy here
_addresses = itertools.count(1)


@dataclass(frozen=True)
class Place:
    country: str = "US"
    region: str = "CA"
    city: str = "San Francisco"
    continent: str = "NA"

    def headers(self) -> dict[str, str]:
        return {
            "x-vercel-ip-country": self.country,
            "x-vercel-ip-country-region": self.region,
            "x-vercel-ip-city": self.city,
            "x-vercel-ip-continent": self.continent,
        }


US = Place()
DE = Place("DE", "BE", "Berlin", "EU")
IN = Place("IN", "MH", "Mumbai", "AS")


async def visit(
    client: httpx.AsyncClient,
    link: Json,
    *,
    place: Place = US,
    ua: str = MAC_SAFARI,
    referer: str | None = None,
    qr: bool = False,
    host: str | None = None,
) -> str:
    """A click by a new visitor (a fresh forwarded address) from `place`; its click id. `host`
    names the link's domain when it is not the short domain the client asks by default."""
    n = next(_addresses)
    headers = {"User-Agent": ua, "X-Forwarded-For": f"198.51.{n // 250}.{n % 250 + 1}"}
    headers |= place.headers()
    if referer is not None:
        headers["Referer"] = referer
    if host is not None:
        headers["Host"] = host
    client.cookies.clear()
    path = f"/{link['key']}" + ("?qr=1" if qr else "")
    response = await client.get(path, headers=headers)
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["dub_id"][0]


async def get(
    client: httpx.AsyncClient, tenant: Tenant, path: str, **params: str | int
) -> httpx.Response:
    """A GET that waits out a 429 of the per-second analytics limit and asks again."""
    for _ in range(20):
        response = await client.get(path, params=params, headers=tenant.auth)
        if response.status_code != 429:
            return response
        reset_ms = int(response.headers["X-RateLimit-Reset"])
        await asyncio.sleep(min(max(reset_ms / 1000 - time.time(), 0.0) + 0.05, 1.1))
    raise AssertionError(f"still rate limited: {path} {params}")


async def ok(client: httpx.AsyncClient, tenant: Tenant, path: str, **params: str | int) -> Any:
    response = await get(client, tenant, path, **params)
    assert response.status_code == 200, response.text
    return response.json()


async def analytics(client: httpx.AsyncClient, tenant: Tenant, **params: str | int) -> Any:
    return await ok(client, tenant, "/analytics", **params)


async def all_events(
    client: httpx.AsyncClient, tenant: Tenant, *, limit: int = 3, **params: str | int
) -> list[Json]:
    """Every event /events lists for `params`, read page by page."""
    found: list[Json] = []
    for page in itertools.count(1):
        rows = await ok(client, tenant, "/events", page=page, limit=limit, **params)
        found += rows
        if len(rows) < limit:
            return found
    raise AssertionError("unreachable")


def assert_error(response: httpx.Response, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (code, message)


@dataclass
class Scenario:
    """Three links: alpha (3 clicks, 4 leads, 2 sales, one in euros), beta (2 clicks, 2 leads,
    1 sale) and gamma (nothing); customers u1 and u2 came by alpha, u3 by beta."""

    alpha: Json
    beta: Json
    gamma: Json
    clicks: dict[str, str]  # name -> click id
    customers: dict[str, str]  # external id -> customer id
    amounts: dict[str, int]  # link key -> sale amount in USD cents


ALPHA_URL = "https://example.com/launch?utm_source=news&utm_medium=email&utm_campaign=spring"


async def scenario(client: httpx.AsyncClient, tenant: Tenant) -> Scenario:
    alpha, beta, gamma = (
        await _link(client, tenant, key="alpha", url=ALPHA_URL),
        await _link(client, tenant, key="beta"),
        await _link(client, tenant, key="gamma"),
    )
    clicks = {
        "alpha-us": await visit(client, alpha, place=US),
        "alpha-de": await visit(
            client, alpha, place=DE, ua=IPHONE, referer="https://www.google.com/search?q=x", qr=True
        ),
        "alpha-in": await visit(
            client, alpha, place=IN, ua=WINDOWS_CHROME, referer="https://news.ycombinator.com/"
        ),
        "beta-us": await visit(client, beta, place=US, ua=WINDOWS_CHROME),
        "beta-de": await visit(client, beta, place=DE),
    }
    leads = [("alpha-de", "u1", 3), ("alpha-in", "u2", 1), ("beta-us", "u3", 2)]
    customers = {}
    for click, external, quantity in leads:
        answer = await _track(
            client, tenant, "/track/lead", clickId=clicks[click], eventName="Sign up",
            customerExternalId=external, eventQuantity=quantity,
        )  # fmt: skip
        customers[external] = answer["customer"]["id"]
    amounts = {"alpha": 0, "beta": 0, "gamma": 0}
    for external, key, amount, currency in [
        ("u1", "alpha", 1000, "usd"), ("u1", "alpha", 1000, "eur"), ("u3", "beta", 2500, "usd"),
    ]:  # fmt: skip
        answer = await _track(
            client, tenant, "/track/sale", customerExternalId=external, amount=amount,
            currency=currency,
        )  # fmt: skip
        amounts[key] += answer["sale"]["amount"]
    return Scenario(alpha, beta, gamma, clicks, customers, amounts)


async def _link(client: httpx.AsyncClient, tenant: Tenant, **body: object) -> Json:
    payload = {"url": "https://example.com/pricing", "trackConversion": True, **body}
    response = await client.post("/links", json=payload, headers=tenant.auth)
    assert response.status_code == 200, response.text
    link: Json = response.json()
    return link


async def _track(client: httpx.AsyncClient, tenant: Tenant, path: str, **body: object) -> Json:
    response = await client.post(path, json=body, headers=tenant.auth)
    assert response.status_code == 200, response.text
    answer: Json = response.json()
    return answer
