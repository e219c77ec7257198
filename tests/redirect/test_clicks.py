"""The click a redirect records (spec §4.2), and the requests that must record none."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import delete

from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.kit.crypto import keyed_hash
from clicktrail.models import Link
from tests.conftest import BROWSER_UA
from tests.redirect.helpers import (
    CLICK_ID,
    IPHONE_UA,
    PEER,
    changed,
    click_count,
    clicks,
    dub_id,
    execute,
    link_row,
    make_link,
    query,
    visit,
    worker,
)
from tests.support import Tenant


async def test_the_click_is_stored_before_the_redirect_answers(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, app: Root
) -> None:
    link = await make_link(client, tenant, key="spring", trackConversion=True)
    response = await visit(client, "/spring", headers={"Referer": "https://www.news.example/a?b=1"})
    [row] = await clicks(settings, link["id"])
    assert row["id"] == dub_id(response)
    assert (row["workspace_id"], row["domain"], row["key"]) == (
        tenant.workspace_id,
        "localhost:8000",
        "spring",
    )
    assert row["url"] == link["url"]
    assert (row["browser"], row["os"], row["device"]) == ("Safari", "Mac OS X", "Desktop")
    assert row["ua"] == BROWSER_UA
    assert (row["referer"], row["referer_url"]) == (
        "news.example",
        "https://www.news.example/a?b=1",
    )
    assert (row["trigger"], bool(row["qr"])) == ("link", False)
    assert row["ip"] == keyed_hash(app.api.state.runtime.secret, PEER)
    assert PEER not in row["identity_hash"]


async def test_a_click_counts_on_its_link(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="count")
    assert link["clicks"] == 0
    assert link["lastClicked"] is None
    await visit(client, "/count")
    row = await link_row(settings, link["id"])
    assert row["clicks"] == 1
    assert row["last_clicked"] is not None
    info = await client.get("/links/info", params={"linkId": link["id"]}, headers=tenant.auth)
    assert info.json()["clicks"] == 1
    assert info.json()["lastClicked"] is not None


async def test_a_direct_mobile_visit(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="phone")
    await visit(client, "/phone", ua=IPHONE_UA)
    [row] = await clicks(settings, link["id"])
    assert (row["browser"], row["os"], row["device"]) == ("Mobile Safari", "iOS", "Mobile")
    assert (row["device_vendor"], row["device_model"]) == ("Apple", "iPhone")
    assert (row["referer"], row["referer_url"]) == ("(direct)", "(direct)")
    assert (row["country"], row["city"]) == ("Unknown", "Unknown")


async def test_a_qr_scan(client: httpx.AsyncClient, tenant: Tenant, settings: Settings) -> None:
    link = await make_link(client, tenant, key="poster", trackConversion=True)
    response = await visit(client, "/poster?qr=1")
    assert "qr" not in query(response.headers["location"])
    [row] = await clicks(settings, link["id"])
    assert (row["trigger"], bool(row["qr"])) == ("qr", True)


async def test_raw_ips_only_when_opted_in(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="raw")
    async with worker(changed(settings, store_raw_ips=True)) as raw:
        await visit(raw, "/raw")
    [row] = await clicks(settings, link["id"])
    assert row["ip"] == PEER


async def test_raw_ips_from_the_environment(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = await make_link(client, tenant, key="raw")
    monkeypatch.setenv("CLICKTRAIL_STORE_RAW_IPS", "true")
    from_env = Settings(database_url=settings.database_url, secret_key="test-secret-key")
    assert from_env.store_raw_ips
    async with worker(from_env) as raw:
        await visit(raw, "/raw")
    [row] = await clicks(settings, link["id"])
    assert row["ip"] == PEER


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
    ],
)
async def test_bots_are_redirected_but_not_counted(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, ua: str
) -> None:
    link = await make_link(client, tenant, key="seen", trackConversion=True)
    response = await visit(client, "/seen?a=1", ua=ua)
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/landing?a=1"
    assert await clicks(settings, link["id"]) == []
    assert (await link_row(settings, link["id"]))["clicks"] == 0


async def test_an_instagram_webview_is_a_person(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="insta")
    instagram = IPHONE_UA + " Instagram 334.0.0.42.95 (iPhone14,5; iOS 17_5; Google/google)"
    await visit(client, "/insta", ua=instagram)
    assert len(await clicks(settings, link["id"])) == 1


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("HEAD", "/quiet", {}),
        ("GET", "/quiet?bot=1", {}),
        ("GET", "/quiet?dub-no-track=1", {}),
        ("GET", "/quiet", {"dub-no-track": "1"}),
    ],
)
async def test_untracked_requests_still_redirect(
    client: httpx.AsyncClient,
    tenant: Tenant,
    settings: Settings,
    method: str,
    path: str,
    headers: dict[str, str],
) -> None:
    await make_link(client, tenant, key="quiet", trackConversion=True)
    response = await visit(client, path, method=method, headers=headers)
    assert response.status_code == 302
    assert response.headers["location"].startswith("https://example.com/landing")
    assert "dub_id" not in query(response.headers["location"])
    assert await click_count(settings) == 0


async def test_no_track_keeps_a_known_click_id_out_of_the_destination(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_link(client, tenant, key="quiet", trackConversion=True)
    first = await visit(client, "/quiet")
    cookie = {"Cookie": f"dub_id_localhost%3A8000_quiet={dub_id(first)}"}
    response = await visit(client, "/quiet?dub-no-track=1", headers=cookie)
    assert "dub_id" not in query(response.headers["location"])


async def test_click_ids_are_nanoids(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await make_link(client, tenant, key="ids", trackConversion=True)
    found = {dub_id(await visit(client, "/ids", ua=f"{BROWSER_UA} n{i}")) for i in range(20)}
    assert len(found) == 20
    assert all(click_id and CLICK_ID.match(click_id) for click_id in found)


async def test_a_click_that_cannot_be_stored_still_redirects(
    client: httpx.AsyncClient,
    tenant: Tenant,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The visitor reaches the destination, without a click id that nothing would back."""
    link = await make_link(client, tenant, key="gone", trackConversion=True)
    await visit(client, "/gone", method="HEAD")  # the worker now has the link in memory
    await execute(settings, delete(Link).where(Link.id == link["id"]))  # behind its back
    response = await visit(client, "/gone?a=1")
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/landing?a=1"
    assert "set-cookie" not in response.headers
    assert await click_count(settings) == 0
    assert "not recorded" in caplog.text
