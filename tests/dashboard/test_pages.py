"""The pages over a workspace's data: links with their numbers, events and their CSV, API keys
and webhooks (each secret shown once)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import httpx
import pytest

from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.kit.clock import utcnow
from clicktrail.models import Role
from tests.dashboard.helpers import Visitor, make_user
from tests.support import Tenant, fetch
from tests.tracking.helpers import Tracker


@pytest.fixture
def track(client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings) -> Tracker:
    return Tracker(client, tenant, app_settings)


async def _converted(track: Tracker, key: str = "promo") -> None:
    link = await track.link(key=key, title="Promo")
    click_id = await track.click(link)
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="c1",
                     customerName="=HYPERLINK(\"http://evil\")")  # fmt: skip
    await track.sale(customerExternalId="c1", amount=2500, currency="eur", eventName="Buy")


async def test_links_are_created_searched_edited_archived_and_deleted(
    owner: Visitor, app_settings: Settings
) -> None:
    base = "/dashboard/acme/links"
    for key in ("alpha", "beta"):
        made = await owner.submit(base, base, url=f"https://example.com/{key}", key=key)
        assert made.status_code == 303, made.text
    found = await owner.page(f"{base}?q=alpha")
    assert "/alpha" in found.text
    assert "/beta" not in found.text
    (alpha,) = await fetch(app_settings, "SELECT id FROM links WHERE key = 'alpha'")
    edited = await owner.submit(base, f"{base}/{alpha['id']}", url="https://example.com/a2",
                                key="alpha", title="Renamed")  # fmt: skip
    assert edited.status_code == 303
    assert (await owner.submit(base, f"{base}/{alpha['id']}", archived="1")).status_code == 303
    assert "Renamed" not in (await owner.page(base)).text  # archived links are hidden
    assert "Renamed" in (await owner.page(f"{base}?archived=1")).text
    assert (await owner.submit(base, f"{base}/{alpha['id']}/delete")).status_code == 303
    rows = await fetch(app_settings, "SELECT key, url, title, archived FROM links ORDER BY key")
    assert rows == [{"key": "beta", "url": "https://example.com/beta", "title": None,
                     "archived": False}]  # fmt: skip


async def test_a_bad_destination_is_refused_and_nothing_is_written(
    owner: Visitor, app_settings: Settings
) -> None:
    base = "/dashboard/acme/links"
    answer = await owner.submit(base, base, url="javascript:alert(1)")
    assert answer.status_code == 422
    assert "Invalid destination URL." in answer.text
    assert await fetch(app_settings, "SELECT id FROM links") == []


async def test_links_show_their_clicks_leads_sales_and_revenue(
    owner: Visitor, track: Tracker
) -> None:
    await _converted(track)
    page = (await owner.page("/dashboard/acme/links")).text
    cells = re.findall(r"<td>([^<]*)</td>", page.split("/promo", 1)[1])[:4]
    assert cells[:3] == ["1", "1", "1"]
    assert re.fullmatch(r"\$\d+\.\d\d", cells[3])
    assert cells[3] != "$0.00"


async def test_events_newest_first_filtered_and_as_csv(owner: Visitor, track: Tracker) -> None:
    await _converted(track)
    sales = await owner.page("/dashboard/acme/events?event=sales")
    assert "Buy" in sales.text
    assert "25.00 EUR" in sales.text or "USD" in sales.text
    assert "Buy" not in (await owner.page("/dashboard/acme/events?event=sales&country=FR")).text
    exported = await owner.page("/dashboard/acme/events.csv?event=leads")
    assert exported.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(exported.text)))
    assert row["event"] == "Sign up"
    assert row["customer"] == '\'=HYPERLINK("http://evil")'  # kept as text in a spreadsheet


async def test_an_api_key_is_shown_once_and_can_be_revoked(
    owner: Visitor, client: httpx.AsyncClient
) -> None:
    base = "/dashboard/acme/keys"
    made = await owner.submit(base, base, name="CI")
    key = re.search(r'id="new-key">(dub_[A-Za-z0-9]+)<', made.text)
    assert key, made.text
    assert key.group(1) not in (await owner.page(base)).text
    auth = {"Authorization": f"Bearer {key.group(1)}"}
    assert (await client.get("/links", headers=auth)).status_code == 200
    key_id = re.findall(r'action="/dashboard/acme/keys/(key_[A-Z0-9]+)/revoke"', made.text)
    revoked = await owner.submit(base, f"{base}/{key_id[-1]}/revoke")
    assert revoked.status_code == 303
    assert (await client.get("/links", headers=auth)).status_code == 401


async def test_a_member_cannot_manage_keys_or_webhooks(
    app: Root, tenant: Tenant, app_settings: Settings
) -> None:
    await make_user(app_settings, "member@example.com", tenant.slug, Role.member)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        member = Visitor(c)
        await member.sign_in("member@example.com")
        keys = await member.submit("/dashboard/acme/links", "/dashboard/acme/keys", name="x")
        assert keys.status_code == 403
        trigger = {"trigger:lead.created": "1"}
        hook = await member.submit(
            "/dashboard/acme/links",
            "/dashboard/acme/webhooks",
            url="https://example.com/h",
            **trigger,
        )
        assert hook.status_code == 403
    assert len(await fetch(app_settings, "SELECT id FROM api_keys")) == 1  # the tenant's own
    assert await fetch(app_settings, "SELECT id FROM webhooks") == []


async def test_a_webhook_secret_is_shown_once_and_its_log_opens(owner: Visitor) -> None:
    base = "/dashboard/acme/webhooks"
    made = await owner.submit(base, base, name="Sales", url="https://example.com/hooks",
                              **{"trigger:sale.created": "1"})  # fmt: skip
    secret = re.search(r'id="new-secret">(whsec_[^<]+)<', made.text)
    assert secret, made.text
    listed = await owner.page(base)
    assert secret.group(1) not in listed.text
    (hook_id,) = re.findall(r'href="/dashboard/acme/webhooks/(wh_[A-Za-z0-9]+)"', listed.text)
    log = await owner.page(f"{base}/{hook_id}")
    assert log.status_code == 200
    assert "sale.created" in log.text
    missing = await owner.submit(base, f"{base}/{hook_id}/deliveries/nope/retry")
    assert missing.status_code == 404


async def test_a_webhook_needs_a_trigger(owner: Visitor, app_settings: Settings) -> None:
    base = "/dashboard/acme/webhooks"
    answer = await owner.submit(base, base, url="https://example.com/hooks")
    assert answer.status_code == 422
    assert await fetch(app_settings, "SELECT id FROM webhooks") == []


async def test_analytics_filters_and_a_custom_range_live_in_the_url(
    owner: Visitor, track: Tracker
) -> None:
    await _converted(track)
    total = re.compile(r'id="total-clicks">(\d+)<')

    async def clicks(query: str) -> str:
        answer = await owner.page(f"/dashboard/acme/analytics?{query}")
        assert answer.status_code == 200, answer.text
        found = total.search(answer.text)
        assert found
        return found.group(1)

    assert await clicks("interval=24h") == "1"
    assert await clicks("interval=24h&country=ZZ") == "0"
    day = utcnow().date()
    assert await clicks(f"start={day - timedelta(days=2)}&end={day + timedelta(days=1)}") == "1"
    assert await clicks(f"start={day - timedelta(days=9)}&end={day - timedelta(days=8)}") == "0"
    bad = await owner.page("/dashboard/acme/analytics?start=yesterday")
    assert bad.status_code == 422


async def test_a_utm_value_filters_the_page(owner: Visitor, track: Tracker) -> None:
    for key, url in (("news", "https://example.com/a?utm_source=news"),
                     ("plain", "https://example.com/b")):  # fmt: skip
        await track.click(await track.link(key=key, url=url))
    page = (await owner.page("/dashboard/acme/analytics?interval=24h")).text
    assert re.search(r'id="total-clicks">2<', page)
    (href,) = re.findall(r'href="([^"]*utm_source=news[^"]*)"', page)
    filtered = (await owner.page(href.replace("&amp;", "&"))).text
    assert re.search(r'id="total-clicks">1<', filtered)
    assert "utm_source = news" in filtered
