"""Who the visitor is: the client address, believed from a proxy only when it is trusted, and
the place that a trusted proxy or CDN reports."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest

from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.kit.crypto import keyed_hash
from tests.redirect.helpers import PEER, changed, clicks, make_link, visit, worker
from tests.support import Tenant

Server = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]
PROXIES = "127.0.0.1/32,10.0.0.0/8"


@pytest.fixture
def behind_proxies(settings: Settings) -> Server:
    """A worker that trusts PROXIES and stores raw IPs, serving requests from a given peer."""
    trusting = changed(settings, trusted_proxies=PROXIES, store_raw_ips=True)
    return lambda peer: worker(trusting, peer=peer)


async def stored_click(
    server: Server, peer: str, settings: Settings, link_id: str, headers: dict[str, str]
) -> dict[str, object]:
    async with server(peer) as c:
        response = await visit(c, "/who", headers=headers)
        assert response.status_code == 302
    [row] = await clicks(settings, link_id)
    return row


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "ip"),
    [
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),  # an untrusted peer's header is a lie
        ("10.1.2.3", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("10.1.2.3", "192.0.2.9, 198.51.100.1, 10.0.0.2", "198.51.100.1"),  # nearest untrusted
        ("10.1.2.3", "10.0.0.3, 10.0.0.2", "10.0.0.3"),  # all trusted: the first hop
        ("10.1.2.3", "", "10.1.2.3"),
        ("10.1.2.3", "2001:db8::1", "2001:db8::1"),
        ("203.0.113.7", "", "203.0.113.7"),
    ],
)
async def test_client_address(
    client: httpx.AsyncClient,
    tenant: Tenant,
    settings: Settings,
    behind_proxies: Server,
    peer: str,
    forwarded_for: str,
    ip: str,
) -> None:
    link = await make_link(client, tenant, key="who")
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    row = await stored_click(behind_proxies, peer, settings, link["id"], headers)
    assert row["ip"] == ip


async def test_without_trusted_proxies_the_header_is_ignored(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, app: Root
) -> None:
    link = await make_link(client, tenant, key="who")
    await visit(client, "/who", headers={"X-Forwarded-For": "198.51.100.1"})
    [row] = await clicks(settings, link["id"])
    assert row["ip"] == keyed_hash(app.api.state.runtime.secret, PEER)


async def test_forwarded_addresses_are_distinct_visitors(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, behind_proxies: Server
) -> None:
    link = await make_link(client, tenant, key="who")
    async with behind_proxies("10.0.0.1") as proxy:
        for hop in ("198.51.100.1", "198.51.100.2", "198.51.100.1"):
            await visit(proxy, "/who", headers={"X-Forwarded-For": hop})
    assert sorted(row["ip"] for row in await clicks(settings, link["id"])) == [
        "198.51.100.1",
        "198.51.100.2",
    ]


CLOUDFLARE = {"CF-IPCountry": "de", "CF-IPCity": "Berlin", "CF-Region-Code": "BE"}
VERCEL = {
    "X-Vercel-IP-Country": "FR",
    "X-Vercel-IP-Country-Region": "IDF",
    "X-Vercel-IP-City": "S%C3%A3o%20Paulo",  # Vercel percent-encodes the city
    "X-Vercel-IP-Continent": "EU",
}


@pytest.mark.parametrize(
    ("headers", "place"),
    [
        (CLOUDFLARE, ("DE", "BE", "Berlin", "")),
        (VERCEL, ("FR", "IDF", "São Paulo", "EU")),
        ({}, ("Unknown", "Unknown", "Unknown", "")),
    ],
)
async def test_geo_headers_from_a_trusted_proxy(
    client: httpx.AsyncClient,
    tenant: Tenant,
    settings: Settings,
    behind_proxies: Server,
    headers: dict[str, str],
    place: tuple[str, str, str, str],
) -> None:
    link = await make_link(client, tenant, key="who")
    row = await stored_click(behind_proxies, "10.0.0.1", settings, link["id"], headers)
    assert (row["country"], row["region"], row["city"], row["continent"]) == place


@pytest.mark.parametrize("headers", [CLOUDFLARE, VERCEL])
async def test_geo_headers_from_anyone_else_are_ignored(
    client: httpx.AsyncClient,
    tenant: Tenant,
    settings: Settings,
    behind_proxies: Server,
    headers: dict[str, str],
) -> None:
    link = await make_link(client, tenant, key="who")
    row = await stored_click(behind_proxies, PEER, settings, link["id"], headers)
    assert (row["country"], row["region"], row["city"], row["continent"]) == (
        "Unknown",
        "Unknown",
        "Unknown",
        "",
    )
