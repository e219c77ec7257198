"""Whatever a visitor sends, the visitor is redirected and the click row fits its columns."""

from __future__ import annotations

import httpx

from clicktrail.config import Settings
from tests.redirect.helpers import DESTINATION, clicks, dub_id, make_link, visit
from tests.support import Tenant


async def test_a_malformed_referer_is_direct(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="ref", trackConversion=True)
    response = await visit(client, "/ref", headers={"Referer": "http://[not-closed/"})
    assert response.status_code == 302
    [row] = await clicks(settings, link["id"])
    assert row["referer"] == "(direct)"


async def test_a_malformed_redir_url_is_ignored(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await make_link(client, tenant, key="redir")
    response = await visit(client, "/redir?redir_url=http://[x")
    assert response.status_code == 302
    assert response.headers["location"].startswith(DESTINATION)


async def test_a_malformed_destination_is_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post("/links", json={"url": "http://[x"}, headers=tenant.auth)
    assert response.status_code == 422


async def test_a_key_outside_latin_1_redirects_and_sets_its_cookie(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="日本", trackConversion=True)
    response = await visit(client, "/%E6%97%A5%E6%9C%AC")
    assert response.status_code == 302
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("dub_id_localhost%3A8000_%E6%97%A5%E6%9C%AC=")
    again = await visit(client, "/%E6%97%A5%E6%9C%AC", headers={"Cookie": cookie.split(";")[0]})
    assert dub_id(again) == dub_id(response)
    assert len(await clicks(settings, link["id"])) == 1


async def test_over_long_agent_and_referer_are_cut_to_fit(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="long")
    agent = (
        f"Mozilla/5.0 (Linux; Android 13; {'X' * 200} Build/TQ3A) AppleWebKit/537.36 "
        f"(KHTML, like Gecko) Chrome/{'9' * 60}.0 Mobile Safari/537.36"
    )
    referer = f"https://{'a' * 60}.{'b' * 60}.{'c' * 60}.{'d' * 60}.{'e' * 60}.example/"
    response = await visit(client, "/long", ua=agent, headers={"Referer": referer})
    assert response.status_code == 302
    [row] = await clicks(settings, link["id"])
    assert len(row["device_model"]) <= 64
    assert len(row["browser_version"]) <= 32
    assert len(row["referer"]) <= 255
    assert row["referer_url"] == referer  # unbounded column: kept whole
