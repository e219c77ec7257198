"""`/domains`: added, listed, updated and removed as Dub's SDKs call them; the first workspace
that uses a domain owns it; a domain's notFoundUrl is where its unknown keys redirect."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import BROWSER_UA
from tests.links.helpers import LinksApi, assert_error, assert_unprocessable, ok
from tests.support import Tenant


async def call(
    client: httpx.AsyncClient, tenant: Tenant, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    return await client.request(method, path, headers=tenant.auth, **kwargs)


async def test_added_listed_updated_and_removed(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {
        "slug": "Go.Acme.Test",
        "notFoundUrl": "acme.test/404",
        "placeholder": "https://acme.test/x",
    }
    response = await call(client, tenant, "POST", "/domains", json=body)
    assert response.status_code == 201, response.text
    added = response.json()
    assert added["slug"] == "go.acme.test"
    assert added["id"].startswith("dom_")
    assert (added["notFoundUrl"], added["expiredUrl"], added["archived"]) == (
        "https://acme.test/404", None, False,
    )  # fmt: skip
    listed = ok(await call(client, tenant, "GET", "/domains"))
    assert [d["slug"] for d in listed] == ["go.acme.test"]  # type: ignore[index]
    patched = ok(
        await call(
            client, tenant, "PATCH", "/domains/go.acme.test",
            json={"archived": True, "expiredUrl": "https://acme.test/old", "notFoundUrl": ""},
        )
    )  # fmt: skip
    assert (patched["archived"], patched["expiredUrl"], patched["notFoundUrl"]) == (
        True, "https://acme.test/old", None,
    )  # fmt: skip
    assert ok(await call(client, tenant, "GET", "/domains")) == []  # type: ignore[comparison-overlap]
    archived = ok(await call(client, tenant, "GET", "/domains", params={"archived": "true"}))
    assert [d["id"] for d in archived] == [added["id"]]  # type: ignore[index]
    gone = ok(await call(client, tenant, "DELETE", "/domains/go.acme.test"))
    assert gone == {"slug": "go.acme.test"}
    assert_error(
        await call(client, tenant, "PATCH", "/domains/go.acme.test", json={}), 404, "not_found"
    )


async def test_the_first_workspace_to_use_a_domain_owns_it(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await LinksApi(client, tenant).create(domain="go.acme.test", key="a")
    mine = ok(await call(client, tenant, "GET", "/domains"))
    assert [d["slug"] for d in mine] == ["go.acme.test"]  # type: ignore[index]
    taken = await call(client, other_tenant, "POST", "/domains", json={"slug": "go.acme.test"})
    assert_error(taken, 409, "conflict", "Domain is already in use.")
    assert_error(
        await call(client, tenant, "POST", "/domains", json={"slug": "go.acme.test"}),
        409,
        "conflict",
    )
    added = await call(client, other_tenant, "POST", "/domains", json={"slug": "go.globex.test"})
    assert added.status_code == 201
    refused = await LinksApi(client, tenant).post(url="https://e.com", domain="go.globex.test")
    assert_error(refused, 403, "forbidden")
    # a domain with links is not removed under them
    assert_unprocessable(await call(client, tenant, "DELETE", "/domains/go.acme.test"))
    assert_error(
        await call(client, other_tenant, "PATCH", "/domains/go.acme.test", json={}),
        404,
        "not_found",
    )


async def test_bad_domain_fields_are_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for body in (
        {"slug": "not a host"},
        {"slug": "localhost:8000"},
        {"slug": "go.x.test", "notFoundUrl": "javascript:alert(1)"},
        {"slug": "go.x.test", "logo": "https://x.test/logo.png"},
        {"slug": "go.x.test", "placeholder": "0" * 99},  # 107 characters as a URL: too long
    ):
        response = await call(client, tenant, "POST", "/domains", json=body)
        assert response.status_code in {409, 422}, (body, response.text)
    assert ok(await call(client, tenant, "GET", "/domains")) == []  # type: ignore[comparison-overlap]


async def test_unknown_keys_go_to_the_domains_not_found_url(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"slug": "go.acme.test", "notFoundUrl": "https://acme.test/missing"}
    assert (await call(client, tenant, "POST", "/domains", json=body)).status_code == 201
    link = await LinksApi(client, tenant).create(domain="go.acme.test", key="real")
    browser = {"host": "go.acme.test", "user-agent": BROWSER_UA}
    missing = await client.get("/nope", headers=browser)
    assert missing.status_code == 302
    assert missing.headers["location"] == "https://acme.test/missing"
    found = await client.get("/real", headers=browser)
    assert found.status_code == 302
    assert found.headers["location"].startswith(link["url"])
    elsewhere = await client.get("/nope", headers={"user-agent": BROWSER_UA})
    assert elsewhere.status_code == 404  # the shared domain has no notFoundUrl


async def test_expired_links_fall_back_to_the_domains_expired_url(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"slug": "go.acme.test", "expiredUrl": "https://acme.test/over"}
    assert (await call(client, tenant, "POST", "/domains", json=body)).status_code == 201
    links = LinksApi(client, tenant)
    past = "2020-01-01T00:00:00Z"
    await links.create(domain="go.acme.test", key="old", expiresAt=past)
    await links.create(
        domain="go.acme.test", key="own", expiresAt=past, expiredUrl="https://own.test"
    )
    await links.create(key="shared", expiresAt=past)
    browser = {"host": "go.acme.test", "user-agent": BROWSER_UA}
    assert (await client.get("/old", headers=browser)).headers[
        "location"
    ] == "https://acme.test/over"
    assert (await client.get("/own", headers=browser)).headers["location"] == "https://own.test"
    assert (await client.get("/shared", headers={"user-agent": BROWSER_UA})).status_code == 410
