"""`?redir_url=` is followed only to the link's own destination host or an allowed host: Dub
follows any URL, which turns every short link into an open redirect (README,
"Destinations, hosts and `redir_url`")."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

from clicktrail.app import Root
from clicktrail.config import Settings
from tests.redirect.helpers import (
    DESTINATION,
    changed,
    clicks,
    dub_id,
    make_link,
    query,
    visit,
    worker,
)
from tests.support import Tenant

ALLOWED = "partner.example,*.shop.example"


def with_redir(path: str, target: str) -> str:
    return f"{path}?{urlencode({'redir_url': target})}"


async def test_a_url_on_the_links_own_host_is_followed_with_the_click_id(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_link(client, tenant, key="own", trackConversion=True)
    response = await visit(client, "/own?redir_url=https://EXAMPLE.com./pricing%3Fplan%3Dpro&a=1")
    location = response.headers["location"]
    assert location.startswith("https://EXAMPLE.com./pricing?")
    assert query(location) == {"plan": "pro", "a": "1", "dub_id": dub_id(response)}


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "https://example.com.evil.example/",
        "https://evil.example/?next=https://example.com/",
        "https://example.com@evil.example/",
        "http://[::1]/",
    ],
)
async def test_a_url_on_any_other_host_is_ignored(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, target: str
) -> None:
    link = await make_link(client, tenant, key="open", trackConversion=True)
    response = await visit(client, with_redir("/open", target))
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(DESTINATION + "?dub_id=")  # the visitor goes where the link goes
    assert len(await clicks(settings, link["id"])) == 1


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/x",
        "https://example.com/\r\nSet-Cookie: stolen=1",
        "https://example.com/\x01",
        "https:\\\\evil.example",
    ],
)
async def test_a_hostile_url_is_ignored(
    client: httpx.AsyncClient, tenant: Tenant, target: str
) -> None:
    await make_link(client, tenant, key="hostile")
    response = await visit(client, with_redir("/hostile", target))
    assert response.status_code == 302
    assert response.headers["location"] == DESTINATION
    assert "stolen" not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("target", "followed"),
    [
        ("https://partner.example/offer", True),
        ("https://a.shop.example/cart", True),
        ("https://deep.a.shop.example/", True),
        ("https://shop.example/", False),  # `*.` allows subdomains, not the name itself
        ("https://evilshop.example/", False),
        ("https://partner.example.evil.example/", False),
    ],
)
async def test_the_allow_list_setting(
    app: Root, tenant: Tenant, target: str, *, followed: bool
) -> None:
    settings = changed(app.api.state.runtime.settings, redir_url_allowed_hosts=ALLOWED)
    async with worker(settings) as client:
        await make_link(client, tenant, key="listed")
        response = await visit(client, with_redir("/listed", target))
    assert response.headers["location"] == (target if followed else DESTINATION)


def test_the_allow_list_refuses_what_is_no_host_name() -> None:
    with pytest.raises(ValueError, match="not a host name"):
        Settings(redir_url_allowed_hosts="ok.example,evil.example/x")
    assert Settings(
        redir_url_allowed_hosts=" A.Example. , *.B.example"
    ).redir_url_allowed_hosts == (
        "a.example",
        "*.b.example",
    )
