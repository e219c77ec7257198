"""What visitors and API clients write renders as text; changes need a CSRF token and a role
that allows them; a workspace's pages show nothing of another's."""

from __future__ import annotations

import httpx
import pytest
from markupsafe import escape

from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.models import Role
from tests.dashboard.helpers import Visitor, make_user
from tests.support import Tenant, fetch
from tests.tracking.helpers import Tracker

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
AS_TEXT = {
    SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
    IMG: "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
}


async def _visit(client: httpx.AsyncClient, key: str, referer: str) -> str:
    answer = await client.get(f"/{key}", headers={"User-Agent": "Mozilla/5.0 (X11) Firefox/130.0",
                                                   "Referer": referer})  # fmt: skip
    assert answer.status_code == 302, answer.text
    return answer.headers["location"].split("dub_id=")[1].split("&")[0]


async def _hostile_data(track: Tracker) -> None:
    """Two links, each visited from a hostile referrer and converted by a hostile customer."""
    for n, payload in enumerate((SCRIPT, IMG)):
        link = await track.link(key=f"hostile{n}", title=payload)
        click_id = await _visit(track.client, link["key"], f"http://{payload}/")
        await track.lead(clickId=click_id, eventName="Sign up",
                                customerExternalId=f"c{n}", customerName=payload)  # fmt: skip


def _as_text(html: str) -> None:
    for payload, escaped in AS_TEXT.items():
        assert payload not in html
        assert "<img src=x" not in html
        assert escaped in html, f"{escaped} missing"


async def test_hostile_titles_referrers_and_names_render_as_text(
    owner: Visitor, track: Tracker
) -> None:
    await _hostile_data(track)
    links = await owner.page("/dashboard/acme/links")
    _as_text(links.text)
    analytics = await owner.page("/dashboard/acme/analytics")
    assert analytics.status_code == 200
    referrers = [r["referer"] for r in await track.rows("SELECT referer FROM clicks")]
    assert len(referrers) == 2
    for referrer in referrers:  # the host part of each hostile Referer, in the referrers panel
        assert "<" in referrer
        assert referrer not in analytics.text
        assert str(escape(referrer)) in analytics.text
    customers = await owner.page("/dashboard/acme/customers")
    _as_text(customers.text)
    for customer_id in await _customer_ids(track):
        journey = (await owner.page(f"/dashboard/acme/customers/{customer_id}")).text
        assert SCRIPT not in journey
        assert "<img src=x" not in journey


async def _customer_ids(track: Tracker) -> list[str]:
    return [r["id"] for r in await track.rows("SELECT id FROM customers ORDER BY external_id")]


async def test_every_page_sends_a_content_security_policy(owner: Visitor, track: Tracker) -> None:
    await _hostile_data(track)
    (customer_id, _) = await _customer_ids(track)
    for path in ("links", "analytics", "customers", f"customers/{customer_id}", "settings"):
        answer = await owner.page(f"/dashboard/acme/{path}")
        assert answer.status_code == 200, path
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["x-frame-options"] == "DENY"


async def test_a_change_without_the_csrf_token_is_refused(
    owner: Visitor, app_settings: Settings
) -> None:
    answer = await owner.client.post(
        "/dashboard/acme/links", data={"url": "https://example.com/x", "key": "nocsrf"}
    )
    assert answer.status_code == 403
    forged = await owner.client.post(
        "/dashboard/acme/links", data={"csrf": "forged", "url": "https://example.com/x"}
    )
    assert forged.status_code == 403
    assert await fetch(app_settings, "SELECT id FROM links") == []


async def test_a_viewer_cannot_change_anything(
    app: Root, tenant: Tenant, track: Tracker, app_settings: Settings
) -> None:
    link = await track.link(key="kept", title="Kept")
    await make_user(app_settings, "viewer@example.com", tenant.slug, Role.viewer)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        viewer = Visitor(c)
        assert (await viewer.sign_in("viewer@example.com")).status_code == 303
        page = await viewer.page("/dashboard/acme/links")
        assert "Kept" in page.text
        assert "Create a link" not in page.text  # no form offered
        base = "/dashboard/acme/links"
        for action, fields in (
            (base, {"url": "https://example.com/new"}),
            (f"{base}/{link['id']}", {"title": "Changed"}),
            (f"{base}/{link['id']}", {"archived": "1"}),
            (f"{base}/{link['id']}/delete", {}),
        ):
            answer = await viewer.submit(base, action, **fields)
            assert answer.status_code == 403, action
            assert "viewer" in answer.text
    rows = await fetch(app_settings, "SELECT key, title, archived FROM links")
    assert rows == [{"key": "kept", "title": "Kept", "archived": False}]


async def test_a_member_of_one_workspace_sees_nothing_of_another(
    owner: Visitor, other_tenant: Tenant, client: httpx.AsyncClient, app_settings: Settings
) -> None:
    other = Tracker(client, other_tenant, app_settings)
    secret_link = await other.link(key="globexonly", title="Globex secret")
    for path in ("links", "analytics", "customers", "settings"):
        answer = await owner.page(f"/dashboard/globex/{path}")
        assert answer.status_code == 404, path
        assert "Globex" not in answer.text
    for path in ("links", "analytics", "settings"):
        assert "Globex secret" not in (await owner.page(f"/dashboard/acme/{path}")).text
        assert "globexonly" not in (await owner.page(f"/dashboard/acme/{path}")).text
    steal = await owner.submit(
        "/dashboard/acme/links", f"/dashboard/acme/links/{secret_link['id']}/delete"
    )
    assert steal.status_code == 404
    edit = await owner.page(f"/dashboard/acme/links/{secret_link['id']}")
    assert edit.status_code == 404


@pytest.fixture
def track(client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings) -> Tracker:
    return Tracker(client, tenant, app_settings)
