"""Traffic on a live server, made as users make it: visitors clicking short links through the
real redirect, and the leads and sales the API tracks for them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import BROWSER_UA
from tests.support import LiveServer, Tenant

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)
CAMPAIGN_URL = (
    "https://example.com/spring?utm_source=newsletter&utm_medium=email"
    "&utm_campaign=spring_sale&utm_term=running+shoes&utm_content=hero"
)
PLAIN_URL = "https://example.com/blog"
PROXY = "127.0.0.1/32"  # trusted, so that a visit's geo headers say where it comes from


def visit(
    server: LiveServer, key: str, visitor: int, headers: Mapping[str, str] | None = None
) -> str:
    """The click id of one visitor, a browser of its own, on the short link."""
    agent = BROWSER_UA.replace("Version/17.5", f"Version/17.{visitor}")
    sent = {"User-Agent": agent, **(headers or {})}
    response = httpx.get(f"{server.url}/{key}", headers=sent)
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["location"]).query)["dub_id"][0]


@dataclass(frozen=True)
class Visitor:
    """Who clicks which link, from where, and what they buy afterwards."""

    link: int  # an index into Traffic.links
    customer: str  # the external id of the lead this visit becomes
    place: tuple[str, str, str, str] | None  # country, region, city, continent; None: unknown
    referer: str | None = None
    agent: str | None = None  # None: Safari on a Mac, of a version of its own
    sales: tuple[int, ...] = ()  # in cents
    sale_metadata: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.place is not None:
            country, region, city, continent = self.place
            headers |= {
                "x-vercel-ip-country": country, "x-vercel-ip-country-region": region,
                "x-vercel-ip-city": city, "x-vercel-ip-continent": continent,
            }  # fmt: skip
        if self.agent is not None:
            headers["User-Agent"] = self.agent
        if self.referer is not None:
            headers["Referer"] = self.referer
        return headers


# Two links, UTM parameters on one only; three visitors: desktop and mobile, two continents and
# an unknown place, two referers and none, customers with two sales, none and one. The third
# customer is deleted afterwards, so that its events show Dub's "Deleted Customer".
VISITORS = (
    Visitor(0, "ada", ("US", "CA", "San Francisco", "NA"), "https://news.example.org/today",
            sales=(4999, 1500), sale_metadata={"plan": "pro"}),
    Visitor(1, "bob", ("DE", "BE", "Berlin", "EU"), "https://social.example.net/post",
            agent=ANDROID_CHROME),
    Visitor(0, "cy", None, sales=(2500,)),
)  # fmt: skip
DELETED_CUSTOMER = "cy"


@dataclass(frozen=True)
class Traffic:
    server: LiveServer
    tenant: Tenant
    links: list[dict[str, Any]]  # the server's answers to POST /links


def make_traffic(server: LiveServer, tenant: Tenant) -> Traffic:
    """Links, clicks, leads and sales of VISITORS in `tenant`'s workspace."""
    links = [
        call(server, tenant, "POST", "/links", {"url": url, "trackConversion": True})
        for url in (CAMPAIGN_URL, PLAIN_URL)
    ]
    for number, visitor in enumerate(VISITORS, 1):
        click = visit(server, links[visitor.link]["key"], number, visitor.headers())
        lead = {"clickId": click, "eventName": "Sign up", "customerExternalId": visitor.customer}
        call(server, tenant, "POST", "/track/lead", lead)
        for n, amount in enumerate(visitor.sales):
            sale = {
                "customerExternalId": visitor.customer, "amount": amount,
                "paymentProcessor": "stripe", "invoiceId": f"in_{visitor.customer}_{n}",
            }  # fmt: skip
            if visitor.sale_metadata:
                sale["metadata"] = visitor.sale_metadata
            call(server, tenant, "POST", "/track/sale", sale)
    call(server, tenant, "DELETE", f"/customers/ext_{DELETED_CUSTOMER}")
    return Traffic(server, tenant, links)


def call(
    server: LiveServer, tenant: Tenant, method: str, path: str, body: object = None
) -> dict[str, Any]:
    response = httpx.request(method, f"{server.url}{path}", headers=tenant.auth, json=body)
    assert response.status_code in {200, 201}, response.text
    answer: dict[str, Any] = response.json()
    return answer
