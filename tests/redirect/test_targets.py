"""Device and country targets (spec §4.1 step 7): iOS, then Android, then geo, then the URL."""

from __future__ import annotations

import httpx
import pytest

from clicktrail.app import Root
from tests.redirect.helpers import changed, make_link, visit, worker
from tests.support import Tenant

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
PIXEL = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari"
TARGETS = {
    "url": "https://example.com/web",
    "ios": "https://apps.apple.com/app/id1",
    "android": "https://play.google.com/store/apps/details?id=x",
    "geo": {"de": "https://example.de/"},
}


@pytest.mark.parametrize(
    ("agent", "expected"),
    [(IPHONE, TARGETS["ios"]), (PIXEL, TARGETS["android"]), (MAC, TARGETS["url"])],
)
async def test_devices_go_to_their_store(
    client: httpx.AsyncClient, tenant: Tenant, agent: str, expected: str
) -> None:
    await make_link(client, tenant, key="app", **TARGETS)
    response = await visit(client, "/app", ua=agent)
    assert response.headers["location"] == expected


async def test_a_country_has_its_own_destination(app: Root, tenant: Tenant) -> None:
    settings = changed(app.api.state.runtime.settings, trusted_proxies="10.0.0.0/8")
    async with worker(settings, peer="10.0.0.1") as proxied:
        await make_link(proxied, tenant, key="geo", url=TARGETS["url"], geo=TARGETS["geo"])
        german = await visit(proxied, "/geo", ua=MAC, headers={"CF-IPCountry": "DE"})
        french = await visit(proxied, "/geo", ua=MAC, headers={"CF-IPCountry": "FR"})
    assert german.headers["location"] == "https://example.de/"
    assert french.headers["location"] == TARGETS["url"]
