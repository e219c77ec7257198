"""The workspace the fuzzer works in: business plan, many keys, and real objects to aim at."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from clicktrail import admin
from clicktrail.config import Settings
from tests.conftest import BROWSER_UA
from tests.support import fetch_sync

# Each key has its own budget (1,200 requests a minute and 4 analytics requests a second on the
# business plan): spread over this many keys, the fuzzer's requests never meet a 429.
KEYS = 40
SLUG = "fuzz"
Ids = dict[str, list[str]]
# So that every groupBy of /analytics has a row: a place (from a proxy's headers) and UTM tags.
PLACE = {
    "CF-IPCountry": "FR",
    "CF-IPContinent": "EU",
    "CF-Region-Code": "IDF",
    "CF-IPCity": "Paris",
}
UTM = {f"utm_{tag}": f"fuzz-{tag}" for tag in ("source", "medium", "campaign", "term", "content")}


@dataclass
class Workspace:
    """Keys to take turns with, and real ids by path-parameter name: `kept` for every operation
    but DELETE, which gets the `disposable` ones (so that the others find theirs)."""

    keys: list[str]
    kept: Ids = field(default_factory=dict)
    disposable: Ids = field(default_factory=dict)
    _turns: Iterator[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._turns = itertools.cycle(self.keys)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {next(self._turns)}"}

    def ids(self, method: str) -> Ids:
        return self.disposable if method.upper() == "DELETE" else self.kept


def create(settings: Settings, url: str) -> Workspace:
    workspace = Workspace(keys=asyncio.run(_keys(settings)))
    with httpx.Client(base_url=url, headers=workspace.auth(), timeout=30) as client:
        workspace.kept = _seed_conversions(client)
        workspace.disposable = _seed_disposable(client)
    deliveries = fetch_sync(settings, "SELECT id FROM webhook_deliveries ORDER BY id")
    workspace.kept["delivery_id"] = [row["id"] for row in deliveries]
    return workspace


async def _keys(settings: Settings) -> list[str]:
    async def action(ctx: admin.Context) -> list[str]:
        await admin.create_workspace(ctx, "Fuzz", SLUG, "business")
        return [(await admin.create_key(ctx, SLUG, f"fuzz {n}"))["key"] for n in range(KEYS)]

    return await admin.run(settings, action)


def _seed_conversions(client: httpx.Client) -> Ids:
    """A webhook, then links in a folder and with a tag that each have a click, a lead and a
    sale (so the webhook has deliveries, and /events and every grouping of /analytics something
    to show)."""
    hook = {"name": "fuzz", "url": "https://example.com/hook", "triggers": ["link.created"]}
    webhook = _ok(client.post("/webhooks", json=hook))["id"]
    carried = {
        "tagIds": [_ok(client.post("/tags", json={"name": "fuzz"}))["id"]],
        "folderId": _ok(client.post("/folders", json={"name": "fuzz"}))["id"],
    }
    links, customers = [], []
    for n in range(3):
        body = {"url": f"https://example.com/{n}", "externalId": f"link-{n}",
                "trackConversion": True, **UTM, **carried}  # fmt: skip
        link = _ok(client.post("/links", json=body))
        links.append(link["id"])
        lead = {"clickId": click(client, link["key"]), "eventName": "Sign up",
                "customerExternalId": f"cus-{n}"}  # fmt: skip
        customers.append(_ok(client.post("/track/lead", json=lead))["customer"]["id"])
        sale = {"customerExternalId": f"cus-{n}", "amount": 1000 + n, "invoiceId": f"inv-{n}"}
        _ok(client.post("/track/sale", json=sale))
    return {
        "link_id": [*links, "ext_link-0"],
        "customer_id": [*customers, "ext_cus-1"],
        "webhook_id": [webhook],
    }


def _seed_disposable(client: httpx.Client) -> Ids:
    hook = {"name": "spare", "url": "https://example.com/spare", "triggers": ["lead.created"]}
    return {
        "link_id": [_ok(client.post("/links", json={"url": "https://example.com/spare"}))["id"]],
        "customer_id": [_ok(client.post("/customers", json={"externalId": "spare"}))["id"]],
        "webhook_id": [_ok(client.post("/webhooks", json=hook))["id"]],
    }


def click(client: httpx.Client, key: str) -> str:
    """A visit of the short link `key`; returns the click id its redirect carried."""
    visit = client.get(f"/{key}", headers={"User-Agent": BROWSER_UA, **PLACE})
    assert visit.status_code == 302, visit.text
    return parse_qs(urlsplit(visit.headers["location"]).query)["dub_id"][0]


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.is_success, response.text
    body: dict[str, Any] = response.json()
    return body
