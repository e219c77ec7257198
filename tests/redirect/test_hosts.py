"""One site, one domain: every spelling of a Host (case, a trailing dot, the scheme's default
port, `www.`) finds that domain's links and counts the click there, never another domain's."""

from __future__ import annotations

import re

import httpx
import pytest

from clicktrail.config import Settings
from tests.redirect.helpers import clicks, make_link, visit
from tests.support import Tenant

# RFC 6265 cookie-name = token (RFC 9110 tchar).
TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


@pytest.mark.parametrize(
    "host",
    [
        "go.example.com.",
        "go.example.com:80",
        "go.example.com:443",
        "GO.Example.COM.:80",
        "www.go.example.com.",
    ],
)
async def test_a_host_spelling_finds_its_domains_link(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, settings: Settings, host: str
) -> None:
    mine = await make_link(
        client, tenant, domain="go.example.com", key="promo", url="https://mine.example/"
    )
    shared = await make_link(client, other_tenant, key="promo", url="https://shared.example/")
    response = await visit(client, "/promo", headers={"Host": host})
    assert response.status_code == 302
    assert response.headers["location"] == "https://mine.example/"
    assert len(await clicks(settings, mine["id"])) == 1
    assert await clicks(settings, shared["id"]) == []


async def test_a_port_other_than_the_default_is_another_host(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    mine = await make_link(client, tenant, domain="go.example.com", key="only")
    response = await visit(client, "/only", headers={"Host": "go.example.com:8080"})
    assert response.status_code == 404  # the shared domain's, which has no such key
    assert await clicks(settings, mine["id"]) == []


async def test_a_domains_root_under_a_trailing_dot(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_link(
        client, tenant, domain="go.example.com", key="_root", url="https://root.example/"
    )
    response = await visit(client, "/", headers={"Host": "go.example.com.:443"})
    assert (response.status_code, response.headers["location"]) == (301, "https://root.example/")


async def test_a_browser_click_names_the_domain_in_any_spelling(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, domain="go.example.com", key="js")
    body = {"domain": "WWW.Go.Example.com.", "key": "js"}
    response = await client.post("/track/click", json=body, headers={"User-Agent": "Mozilla/5.0"})
    assert response.status_code == 200, response.text
    assert len(await clicks(settings, link["id"])) == 1


@pytest.mark.parametrize(
    ("domain", "key", "name"),
    [
        ("go.example.com", "spring", "dub_id_go.example.com_spring"),  # Dub's own name
        (None, "Promo", "dub_id_localhost%3A8000_Promo"),
        ("go.example.com", "a/b", "dub_id_go.example.com_a%2Fb"),
        ("xn--bcher-kva.example", "k!", "dub_id_xn--bcher-kva.example_k!"),
    ],
)
async def test_cookie_names_are_tokens(
    client: httpx.AsyncClient, tenant: Tenant, domain: str | None, key: str, name: str
) -> None:
    fields = {"domain": domain} if domain else {}
    await make_link(client, tenant, key=key, trackConversion=True, **fields)
    response = await visit(client, f"/{key}", headers={"Host": domain or "localhost:8000"})
    cookie = response.headers["set-cookie"].split("=", 1)[0]
    assert (cookie, bool(TOKEN.match(cookie))) == (name, True)
