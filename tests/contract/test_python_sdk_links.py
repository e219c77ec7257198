"""Dub's official Python SDK (PyPI `dub`, current generation), unmodified, against a real server:
links, the redirect that records a click, and typed errors."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from dub import Dub
from dub.models import errors

from tests.conftest import BROWSER_UA
from tests.support import LiveServer, Tenant, fetch_sync

BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def tenant_sdk(live_server: LiveServer) -> tuple[Tenant, Dub]:
    tenant = live_server.tenant("acme")
    return tenant, Dub(token=tenant.key, server_url=live_server.url)


@pytest.fixture
def browser(live_server: LiveServer) -> Iterator[httpx.Client]:
    headers = {"User-Agent": BROWSER_UA}
    with httpx.Client(base_url=live_server.url, headers=headers) as client:
        yield client


def click_rows(server: LiveServer, link_id: str) -> list[dict[str, object]]:
    return fetch_sync(server.settings, "SELECT * FROM clicks WHERE link_id = :l", l=link_id)


def test_tracked_link_records_one_click_per_visitor(
    live_server: LiveServer, tenant_sdk: tuple[Tenant, Dub], browser: httpx.Client
) -> None:
    _, dub = tenant_sdk
    link = dub.links.create(
        request={"url": "https://example.com/pricing?plan=pro", "track_conversion": True}
    )
    assert link.track_conversion is True
    assert link.short_link == f"http://localhost:8000/{link.key}"

    first = browser.get(f"/{link.key}", params={"utm_source": "x"})
    assert first.status_code == 302
    location = urlsplit(first.headers["location"])
    query = parse_qs(location.query)
    assert (location.netloc, location.path) == ("example.com", "/pricing")
    assert query["plan"] == ["pro"]
    assert query["utm_source"] == ["x"]
    click_id = query["dub_id"][0]
    rows = click_rows(live_server, link.id)  # committed before the 302 was sent
    assert [row["id"] for row in rows] == [click_id]
    assert dub.links.get(request={"link_id": link.id}).clicks == 1

    browser.cookies.clear()  # the same visitor without the cookie: same click, nothing new
    again = browser.get(f"/{link.key}")
    assert parse_qs(urlsplit(again.headers["location"]).query)["dub_id"] == [click_id]
    assert dub.links.get(request={"link_id": link.id}).clicks == 1
    assert len(click_rows(live_server, link.id)) == 1


def test_bots_and_head_requests_record_nothing(
    live_server: LiveServer, tenant_sdk: tuple[Tenant, Dub], browser: httpx.Client
) -> None:
    _, dub = tenant_sdk
    link = dub.links.create(request={"url": "https://example.com", "track_conversion": True})
    bot = browser.get(f"/{link.key}", headers={"User-Agent": BOT_UA})
    head = browser.head(f"/{link.key}")
    assert bot.status_code == head.status_code == 302
    assert bot.headers["location"].startswith("https://example.com")
    assert click_rows(live_server, link.id) == []
    assert dub.links.get(request={"link_id": link.id}).clicks == 0


def test_links_crud_parses_in_the_sdk(tenant_sdk: tuple[Tenant, Dub]) -> None:
    _, dub = tenant_sdk
    created = dub.links.create(
        request={"url": "https://example.com/a", "key": "launch", "external_id": "camp-1"}
    )
    by_key = dub.links.get(request={"domain": "localhost:8000", "key": "launch"})
    by_external = dub.links.get(request={"external_id": "ext_camp-1"})
    assert by_key.id == by_external.id == created.id
    updated = dub.links.update(link_id="ext_camp-1", request_body={"title": "Launch"})
    assert (updated.title, updated.url) == ("Launch", "https://example.com/a")
    page = dub.links.list(request={"page_size": 10})
    assert page is not None
    assert [link.id for link in page.result] == [created.id]
    assert dub.links.count(request={}) == 1
    assert dub.links.delete(link_id=created.id).id == created.id
    assert dub.links.count(request={}) == 0


def test_errors_arrive_as_the_sdks_typed_errors(
    live_server: LiveServer, tenant_sdk: tuple[Tenant, Dub]
) -> None:
    _, dub = tenant_sdk
    dub.links.create(request={"url": "https://example.com", "key": "taken"})
    with pytest.raises(errors.Conflict):
        dub.links.create(request={"url": "https://example.com", "key": "TAKEN"})
    with pytest.raises(errors.UnprocessableEntity):
        dub.links.create(request={"url": "https://example.com", "key": "links"})
    with pytest.raises(errors.NotFound):
        dub.links.get(request={"link_id": "link_doesnotexist"})
    with pytest.raises(errors.Unauthorized):
        Dub(token="dub_wrong", server_url=live_server.url).links.count(request={})


def test_workspaces_do_not_see_each_other(live_server: LiveServer) -> None:
    acme = Dub(token=live_server.tenant("acme").key, server_url=live_server.url)
    globex = Dub(token=live_server.tenant("globex").key, server_url=live_server.url)
    link = acme.links.create(request={"url": "https://acme.example", "key": "acme"})
    with pytest.raises(errors.NotFound):
        globex.links.get(request={"link_id": link.id})
    with pytest.raises(errors.NotFound):
        globex.links.update(link_id=link.id, request_body={"url": "https://evil.example"})
    with pytest.raises(errors.NotFound):
        globex.links.delete(link_id=link.id)
    assert globex.links.count(request={}) == 0
    assert acme.links.get(request={"link_id": link.id}).url == "https://acme.example"
