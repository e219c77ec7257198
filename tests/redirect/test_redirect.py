"""GET /{key}: where a short link sends its visitor (spec §4.1)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from clicktrail.config import Settings
from clicktrail.kit.clock import utcnow
from clicktrail.models import Link
from tests.redirect.helpers import (
    CLICK_ID,
    click_count,
    clicks,
    dub_id,
    execute,
    make_link,
    query,
    visit,
)
from tests.support import Tenant


async def test_redirects_with_the_visitors_query_and_a_click_id(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_link(
        client, tenant, key="spring", url="https://example.com/p?ref=a&keep=1", trackConversion=True
    )
    response = await visit(client, "/spring?ref=b&extra=2")
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith("https://example.com/p?")
    params = query(location)
    assert CLICK_ID.match(params.pop("dub_id"))
    assert params == {"ref": "b", "keep": "1", "extra": "2"}


async def test_no_click_id_in_the_destination_without_track_conversion(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_link(client, tenant, key="plain", url="https://example.com/p?x=1")
    response = await visit(client, "/plain?y=2")
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/p?x=1&y=2"


async def test_stripe_payment_links_get_a_client_reference_id(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    url = "https://buy.stripe.com/test_123?dub_client_reference_id=1"
    await make_link(client, tenant, key="buy", url=url, trackConversion=True)
    response = await visit(client, "/buy")
    click_id = response.headers["set-cookie"].split(";")[0].split("=")[1]
    assert query(response.headers["location"]) == {"client_reference_id": f"dub_id_{click_id}"}


async def test_click_id_cookie(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await make_link(client, tenant, key="Promo", trackConversion=True)
    response = await visit(client, "/Promo")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"dub_id_localhost%3A8000_Promo={dub_id(response)};")
    attributes = {part.strip() for part in cookie.split(";")[1:]}
    assert {"Path=/Promo", "Max-Age=3600"} <= attributes
    assert not any(a.lower().startswith("domain=") for a in attributes)


async def test_the_cookie_comes_back_on_the_path_the_visitor_used(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_link(client, tenant, key="Promo", trackConversion=True)
    response = await visit(client, "/promo")
    assert "Path=/promo;" in response.headers["set-cookie"]


async def test_root_link_of_a_short_domain(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await make_link(client, tenant, domain="go.example.com", key="_root", trackConversion=True)
    response = await visit(client, "/", headers={"Host": "go.example.com"})
    assert response.status_code == 301
    assert response.headers["location"].startswith("https://example.com/landing?dub_id=")
    assert "Path=/;" in response.headers["set-cookie"]


async def test_control_params_are_not_passed_on(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await make_link(client, tenant, key="qr-code")
    response = await visit(client, "/qr-code?qr=1&skip_deeplink_preview=1&dub-no-track=1&a=1")
    assert query(response.headers["location"]) == {"a": "1"}


async def test_keys_resolve_case_insensitively(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="SummerSale")
    for path in ("/summersale", "/SUMMERSALE", "/SummerSale"):
        response = await visit(client, path)
        assert response.status_code == 302, path
    assert len(await clicks(settings, link["id"])) == 1  # one visitor, whatever the spelling


async def test_missing_link_is_a_404_page(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    await make_link(client, tenant, key="exists")
    response = await visit(client, "/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "location" not in response.headers
    assert await click_count(settings) == 0


async def test_disabled_link_is_a_404_page(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="off", disabled=True)
    response = await visit(client, "/off")
    assert response.status_code == 404
    assert "location" not in response.headers
    assert await clicks(settings, link["id"]) == []


async def test_expired_link_goes_to_its_expired_url(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="old", expiredUrl="https://example.com/gone")
    await expire(settings, link["id"])
    response = await visit(client, "/old?a=1")
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/gone"
    assert "set-cookie" not in response.headers
    assert await clicks(settings, link["id"]) == []


async def test_expired_link_without_expired_url_is_gone(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="old")
    await expire(settings, link["id"])
    response = await visit(client, "/old")
    assert response.status_code == 410
    assert "location" not in response.headers
    assert await clicks(settings, link["id"]) == []


async def test_link_expiring_later_still_redirects(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    later = (utcnow() + timedelta(days=1)).isoformat()
    await make_link(client, tenant, key="soon", expiresAt=later, expiredUrl="https://e.example")
    response = await visit(client, "/soon")
    assert response.headers["location"].startswith("https://example.com/landing")


@pytest.mark.parametrize("path", ["/secret", "/secret?pw=wrong"])
async def test_password_link_without_the_password(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, path: str
) -> None:
    link = await make_link(client, tenant, key="secret", password="hunter2")
    response = await visit(client, path)
    assert response.status_code == 401
    assert "location" not in response.headers
    assert "Password required" in response.text
    assert await clicks(settings, link["id"]) == []


async def test_password_link_with_the_password(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="secret", password="hunter2")
    response = await visit(client, "/secret?pw=hunter2&a=1")
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/landing?a=1"  # no pw passed on
    assert len(await clicks(settings, link["id"])) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/security.txt",
        "/.well-known/apple-app-site-association",
        "/wp-login.php",
        "/admin/setup.php7",
        "/.Well-Known/security.txt",
        "/WP-LOGIN.PHP",
    ],
)
async def test_probes_are_sent_home_untracked(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, path: str
) -> None:
    await make_link(client, tenant, key=path.lstrip("/").lower())
    response = await visit(client, path)
    assert response.status_code == 302
    assert response.headers["location"] == "/?dub-no-track=1"
    assert "set-cookie" not in response.headers
    assert await click_count(settings) == 0


async def test_short_links_on_their_own_domain(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, domain="go.example.com", key="spring")
    response = await visit(client, "/spring?x=1", headers={"Host": "go.example.com"})
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/landing?x=1"
    assert response.headers["set-cookie"].startswith("dub_id_go.example.com_spring=")
    assert len(await clicks(settings, link["id"])) == 1


async def test_a_short_domain_serves_only_its_own_links(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_link(client, tenant, domain="go.example.com", key="only-there")
    await make_link(client, tenant, key="only-here")
    elsewhere = await visit(client, "/only-here", headers={"Host": "go.example.com"})
    assert elsewhere.status_code == 404
    shared = await visit(client, "/only-there")
    assert shared.status_code == 404
    www = await visit(client, "/ONLY-THERE", headers={"Host": "www.Go.Example.com"})
    assert www.status_code == 302


@pytest.mark.parametrize("host", ["localhost:8000", "go.example.com"])
async def test_api_paths_are_the_apis_on_every_host(
    client: httpx.AsyncClient, tenant: Tenant, host: str
) -> None:
    await make_link(client, tenant, domain="go.example.com", key="spring")
    anonymous = await visit(client, "/links", headers={"Host": host})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    listed = await visit(client, "/links", headers={"Host": host, **tenant.auth})
    assert [link["key"] for link in listed.json()] == ["spring"]


async def test_response_headers(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await make_link(client, tenant, key="hdr")
    response = await visit(client, "/hdr")
    assert response.headers["x-robots-tag"] == "googlebot: noindex"
    assert response.headers["x-powered-by"]


async def expire(settings: Settings, link_id: str) -> None:
    past = utcnow() - timedelta(minutes=1)
    await execute(settings, update(Link).where(Link.id == link_id).values(expires_at=past))
