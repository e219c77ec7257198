"""Two workspaces on one server: the owner's, with the data of a business that uses clicktrail
(links on the shared and on its own domain, clicks, a lead and a sale, customers, a webhook
with deliveries), and a stranger's, with a little of its own. And a client that waits out
the analytics rate limit instead of failing on it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from clicktrail.config import Settings
from clicktrail.models.base import Base
from tests.conftest import BROWSER_UA
from tests.support import Tenant, fetch, folded

Json = dict[str, Any]
OWN_DOMAIN = "go.globex.example"


@dataclass(frozen=True)
class Api:
    """One workspace's key on the API."""

    client: httpx.AsyncClient
    tenant: Tenant

    async def ask(
        self, method: str, path: str, *, params: dict[str, Any] | None = None,
        json: object = None,
    ) -> httpx.Response:  # fmt: skip
        for _ in range(40):
            response = await self.client.request(
                method, path, params=params, json=json, headers=self.tenant.auth
            )
            if response.status_code != 429:
                return response
            await asyncio.sleep(0.25)  # analytics budgets are per second
        raise AssertionError(f"{method} {path} stayed rate limited")

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.ask(method, path, **kwargs)
        assert response.status_code in {200, 201}, response.text
        return response.json()


@dataclass
class World:
    """What the owner has, as the owner's key sees it, and the stranger's own things."""

    owner: Api
    stranger: Api
    links: list[Json] = field(default_factory=list)
    click_ids: list[str] = field(default_factory=list)
    lead_customer: Json = field(default_factory=dict)
    customer: Json = field(default_factory=dict)
    webhook: Json = field(default_factory=dict)
    delivery_id: str = ""
    event_ids: list[str] = field(default_factory=list)
    stranger_link: Json = field(default_factory=dict)
    stranger_webhook: Json = field(default_factory=dict)
    folder: Json = field(default_factory=dict)
    tag: Json = field(default_factory=dict)

    @property
    def link(self) -> Json:
        """The owner's link on the shared domain, with a tenant and an external id."""
        return self.links[0]

    @property
    def own_domain_link(self) -> Json:
        return self.links[1]

    def markers(self) -> set[str]:
        """Strings that only the owner's data contains: none may reach the stranger."""
        found = {self.webhook["id"], self.webhook["url"], self.delivery_id, *self.event_ids}
        found |= {self.folder["id"], self.folder["name"], self.tag["id"], self.tag["name"]}
        for link in self.links:
            found |= {link["id"], link["key"], link["externalId"], link["tenantId"], link["url"]}
        for customer in (self.lead_customer, self.customer):
            found |= {customer["id"], customer["externalId"], customer["email"]}
        return found | set(self.click_ids) | {OWN_DOMAIN}


async def click(client: httpx.AsyncClient, link: Json, visitor: int) -> str:
    """A visit to the short link; the click id its redirect carries."""
    agent = f"{BROWSER_UA} visitor/{visitor}"
    url = f"http://{link['domain']}/{link['key']}"
    response = await client.get(url, headers={"User-Agent": agent})
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["dub_id"][0]


async def build(owner: Api, stranger: Api, receiver_url: str) -> World:
    world = World(owner, stranger)
    world.webhook = await owner.ok(
        "POST", "/webhooks",
        json={"name": "crm", "url": f"{receiver_url}?for=globex", "triggers": TRIGGERS},
    )  # fmt: skip
    world.tag = await owner.ok("POST", "/tags", json={"name": "globex-vip", "color": "purple"})
    await _owner_links(world)
    await _owner_conversions(world)
    world.customer = await owner.ok(
        "POST", "/customers",
        json={"externalId": "gx-user-2", "email": "bo@globex.example", "country": "DE"},
    )  # fmt: skip
    await _owner_folder(world)
    await _stranger_things(world, receiver_url)
    return world


TRIGGERS = ["link.created", "link.updated", "link.clicked", "lead.created", "sale.created"]


async def _owner_links(world: World) -> None:
    common = {"url": "https://globex.example/spring", "trackConversion": True}
    world.links = [
        await world.owner.ok(
            "POST", "/links",
            json={**common, "key": "globex-spring", "externalId": "gx-1", "tenantId": "gx-t",
                  "tagIds": [world.tag["id"]]},
        ),
        await world.owner.ok(
            "POST", "/links",
            json={**common, "domain": OWN_DOMAIN, "key": "promo", "externalId": "gx-2",
                  "tenantId": "gx-t2"},
        ),
    ]  # fmt: skip
    for n, link in enumerate([*world.links, world.links[0]]):
        world.click_ids.append(await click(world.owner.client, link, n))


async def _owner_conversions(world: World) -> None:
    lead = await world.owner.ok(
        "POST", "/track/lead",
        json={"clickId": world.click_ids[0], "eventName": "Sign up",
              "customerExternalId": "gx-user-1", "customerEmail": "al@globex.example"},
    )  # fmt: skip
    world.lead_customer = await world.owner.ok(
        "GET", f"/customers/ext_{lead['customer']['externalId']}"
    )
    await world.owner.ok(
        "POST", "/track/sale",
        json={"customerExternalId": "gx-user-1", "amount": 4900, "invoiceId": "gx-inv-1"},
    )  # fmt: skip


async def _owner_folder(world: World) -> None:
    world.folder = await world.owner.ok("POST", "/folders", json={"name": "globex-campaigns"})


async def _stranger_things(world: World, receiver_url: str) -> None:
    world.stranger_link = await world.stranger.ok(
        "POST", "/links",
        json={"url": "https://acme.example/", "key": "acme-home", "trackConversion": True},
    )  # fmt: skip
    await click(world.stranger.client, world.stranger_link, 99)
    await world.stranger.ok("POST", "/customers", json={"externalId": "acme-user", "country": "US"})
    world.stranger_webhook = await world.stranger.ok(
        "POST",
        "/webhooks",
        json={"name": "mine", "url": receiver_url, "triggers": ["sale.created"]},
    )


async def settle(world: World, settings: Settings, within: float = 15.0) -> None:
    """Wait until every delivery of the owner's events is done and every event is folded, so
    that nothing changes the owner's rows but what a test does."""
    sql = (
        "SELECT d.id, d.status, d.event_id FROM webhook_deliveries d "
        "JOIN webhooks w ON w.id = d.webhook_id WHERE w.workspace_id = :ws"
    )
    async with asyncio.timeout(within):
        while True:
            rows = await fetch(settings, sql, ws=world.owner.tenant.workspace_id)
            if rows and all(row["status"] == "delivered" for row in rows):
                break
            await asyncio.sleep(0.05)
    world.delivery_id = rows[0]["id"]
    world.event_ids = [row["event_id"] for row in rows]
    await folded(settings, within)  # the folder's totals land after the commit (events first)


# Tables of no workspace: the instance's own settings and exchange rates, and the leases of
# its background work (the folder's).
# Dashboard accounts span workspaces (a user may belong to several, through `memberships`);
# what a user sees of a workspace is tested in tests/dashboard/test_security.py.
GLOBAL_TABLES = frozenset(
    {"fx_snapshots", "instance_settings", "leases", "users", "user_sessions", "sign_in_failures"}
)
# Tables without a workspace_id column, reached through their parent's.
CHILD_TABLES = {
    "webhook_deliveries": "webhook_id IN (SELECT id FROM webhooks WHERE workspace_id = :ws)",
    "webhook_attempts": (
        "delivery_id IN (SELECT d.id FROM webhook_deliveries d JOIN webhooks w "
        "ON w.id = d.webhook_id WHERE w.workspace_id = :ws)"
    ),
    "click_visitors": "link_id IN (SELECT id FROM links WHERE workspace_id = :ws)",
    "link_tags": "link_id IN (SELECT id FROM links WHERE workspace_id = :ws)",
}


def workspace_filters() -> dict[str, str]:
    """Every table, with the condition that selects one workspace's rows of it. A new table
    must be added here (or to GLOBAL_TABLES): `test_every_table_is_snapshotted` checks."""
    found = {
        table.name: "workspace_id = :ws"
        for table in Base.metadata.sorted_tables
        if "workspace_id" in table.columns
    }
    return found | CHILD_TABLES | {"workspaces": "id = :ws"}


async def rows_of(settings: Settings, workspace_id: str) -> dict[str, list[str]]:
    """Every row of the workspace, in every table, as text: a before-and-after snapshot."""
    snapshot: dict[str, list[str]] = {}
    for table, where in sorted(workspace_filters().items()):
        rows = await fetch(settings, f"SELECT * FROM {table} WHERE {where}", ws=workspace_id)  # noqa: S608
        snapshot[table] = sorted(repr(sorted(row.items())) for row in rows)
    return snapshot
