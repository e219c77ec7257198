"""POST /track/click: a click reported by the destination site's script (spec §4.4)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clicktrail.config import Settings
from tests.conftest import BROWSER_UA
from tests.redirect.helpers import (
    CLICK_ID,
    IPHONE_UA,
    click_count,
    clicks,
    dub_id,
    link_row,
    make_link,
    visit,
)
from tests.support import Tenant

CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": "Content-Type, Authorization",
}


async def track(
    client: httpx.AsyncClient, body: object, *, ua: str = BROWSER_UA, path: str = "/track/click"
) -> httpx.Response:
    return await client.post(path, json=body, headers={"User-Agent": ua})


def assert_cors(response: httpx.Response) -> None:
    assert {name: response.headers.get(name) for name in CORS} == CORS


def assert_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"] == message
    assert_cors(response)


@pytest.fixture
async def link(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    return await make_link(client, tenant, key="promo", trackConversion=True)


@pytest.mark.parametrize("path", ["/track/click", "/api/track/click"])
async def test_records_a_click_and_returns_its_id(
    client: httpx.AsyncClient, settings: Settings, link: dict[str, Any], path: str
) -> None:
    body = {
        "domain": "localhost:8000",
        "key": "promo",
        "url": "https://example.com/landing?via=promo",
        "referrer": "https://www.blog.example/post",
    }
    response = await track(client, body, path=path)
    assert response.status_code == 200, response.text
    assert_cors(response)
    click_id = response.json()["clickId"]
    assert CLICK_ID.match(click_id)
    assert list(response.json()) == ["clickId"]
    [row] = await clicks(settings, link["id"])
    assert row["id"] == click_id
    assert (row["url"], row["trigger"]) == ("https://example.com/landing?via=promo", "link")
    assert (row["referer"], row["referer_url"]) == ("blog.example", "https://www.blog.example/post")
    assert (await link_row(settings, link["id"]))["clicks"] == 1


async def test_defaults_to_the_links_url_and_a_direct_visit(
    client: httpx.AsyncClient, settings: Settings, link: dict[str, Any]
) -> None:
    body = {"domain": "www.LOCALHOST:8000", "key": "PROMO", "url": "not a url"}
    response = await track(client, body)
    assert response.status_code == 200, response.text
    [row] = await clicks(settings, link["id"])
    assert (row["url"], row["referer"], row["referer_url"]) == (link["url"], "(direct)", "(direct)")


async def test_the_same_visitor_gets_the_same_click(
    client: httpx.AsyncClient, settings: Settings, link: dict[str, Any]
) -> None:
    body = {"domain": "localhost:8000", "key": "promo"}
    first = (await track(client, body)).json()["clickId"]
    assert (await track(client, body)).json()["clickId"] == first
    other_agent = (await track(client, body, ua=IPHONE_UA)).json()["clickId"]
    assert other_agent != first
    assert {row["id"] for row in await clicks(settings, link["id"])} == {first, other_agent}


async def test_a_redirect_and_the_script_agree_on_the_click(
    client: httpx.AsyncClient, settings: Settings, link: dict[str, Any]
) -> None:
    redirected = dub_id(await visit(client, "/promo"))
    tracked = await track(client, {"domain": "localhost:8000", "key": "promo"})
    assert tracked.json()["clickId"] == redirected
    assert len(await clicks(settings, link["id"])) == 1


async def test_links_on_another_domain(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, domain="go.example.com", key="spring")
    response = await track(client, {"domain": "www.go.example.com", "key": "spring"})
    assert response.status_code == 200, response.text
    assert len(await clicks(settings, link["id"])) == 1


@pytest.mark.parametrize(
    "ua", ["Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "curl/8.5.0"]
)
async def test_bots_get_a_click_id_but_no_click(
    client: httpx.AsyncClient, settings: Settings, link: dict[str, Any], ua: str
) -> None:
    response = await track(client, {"domain": "localhost:8000", "key": "promo"}, ua=ua)
    assert response.status_code == 200
    assert CLICK_ID.match(response.json()["clickId"])
    assert await clicks(settings, link["id"]) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"key": "promo"}, "invalid_type: domain: domain is required."),
        ({"domain": "localhost:8000"}, "invalid_type: key: key is required."),
        ({"domain": None, "key": "promo"}, "invalid_type: domain: domain is required."),
        (
            {"domain": 5, "key": "promo"},
            "invalid_type: domain: Invalid input: expected string, received number",
        ),
    ],
)
async def test_invalid_bodies(
    client: httpx.AsyncClient, settings: Settings, link: dict[str, Any], body: object, message: str
) -> None:
    assert_error(await track(client, body), 422, message)
    assert await clicks(settings, link["id"]) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"domain": "localhost:8000", "key": "nope"}, "domain: localhost:8000 and key: nope"),
        ({"domain": "other.example", "key": "promo"}, "domain: other.example and key: promo"),
    ],
)
async def test_unknown_link(
    client: httpx.AsyncClient, settings: Settings, link: dict[str, Any], body: object, message: str
) -> None:
    assert_error(await track(client, body), 404, f"Link not found for {message}.")
    assert await click_count(settings) == 0


@pytest.mark.parametrize("path", ["/track/click", "/api/track/click"])
async def test_preflight(client: httpx.AsyncClient, path: str) -> None:
    response = await client.options(
        path,
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.content == b""
    assert_cors(response)


async def test_needs_no_api_key(client: httpx.AsyncClient, link: dict[str, Any]) -> None:
    response = await client.post(
        "/track/click",
        json={"domain": "localhost:8000", "key": link["key"]},
        headers={"User-Agent": BROWSER_UA, "Authorization": "Bearer not-a-key"},
    )
    assert response.status_code == 200, response.text
