"""Signing in and out: cookies, one answer for every failure, throttling, CSRF, sessions."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from clicktrail.accounts.service import MOST_FAILURES, THROTTLED, WRONG
from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.kit.clock import utcnow
from tests.dashboard.helpers import PASSWORD, Visitor, csrf_of, make_user
from tests.support import Tenant, connected, fetch


async def test_sign_in_sets_a_session_cookie_and_opens_the_workspace(owner: Visitor) -> None:
    home = await owner.page("/dashboard")
    assert home.status_code == 303
    assert home.headers["location"] == "/dashboard/acme/links"
    links = await owner.page("/dashboard/acme/links")
    assert links.status_code == 200
    assert "owner@example.com (owner)" in links.text


async def test_the_cookie_is_http_only_lax_and_secure_only_over_https(
    app: Root, tenant: Tenant, app_settings: Settings
) -> None:
    await make_user(app_settings, "owner@example.com", tenant.slug)
    for scheme, secure in (("http", False), ("https", True)):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://localhost") as c:
            answer = await Visitor(c).sign_in("owner@example.com")
        cookie = next(v for v in answer.headers.get_list("set-cookie") if "ct_session=" in v)
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Path=/dashboard" in cookie
        assert ("Secure" in cookie) is secure


async def test_unknown_email_and_wrong_password_get_the_same_answer(
    client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings
) -> None:
    await make_user(app_settings, "owner@example.com", tenant.slug)
    wrong = await Visitor(client).sign_in("owner@example.com", "not the password")
    unknown = await Visitor(client).sign_in("nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert WRONG in wrong.text
    assert WRONG in unknown.text
    assert "ct_session=" not in str(wrong.headers) + str(unknown.headers)


async def test_an_account_is_throttled_after_repeated_failures(
    client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings
) -> None:
    await make_user(app_settings, "owner@example.com", tenant.slug)
    visitor = Visitor(client)
    for _ in range(MOST_FAILURES["email"]):
        assert (await visitor.sign_in("owner@example.com", "guess")).status_code == 401
    refused = await visitor.sign_in("owner@example.com")  # the right password, too late
    assert refused.status_code == 429
    assert THROTTLED in refused.text
    assert refused.headers["retry-after"] == "900"
    # Another address is not stopped by this account's address limit, but by its own count.
    assert (await visitor.sign_in("other@example.com", "guess")).status_code == 401


async def test_an_address_is_throttled_across_accounts(
    client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings
) -> None:
    await make_user(app_settings, "owner@example.com", tenant.slug)
    visitor = Visitor(client)
    for n in range(MOST_FAILURES["address"]):
        assert (await visitor.sign_in(f"guess{n}@example.com", "guess")).status_code == 401
    assert (await visitor.sign_in("owner@example.com")).status_code == 429


async def test_sign_in_without_its_csrf_token_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings
) -> None:
    await make_user(app_settings, "owner@example.com", tenant.slug)
    await client.get("/dashboard/sign-in")
    answer = await client.post(
        "/dashboard/sign-in", data={"email": "owner@example.com", "password": PASSWORD}
    )
    assert answer.status_code == 403
    assert "ct_session=" not in str(answer.headers)


async def test_a_session_stops_working_after_sign_out(
    owner: Visitor, app_settings: Settings
) -> None:
    stolen = owner.client.cookies.get("ct_session")
    assert stolen
    page = await owner.page("/dashboard/acme/links")
    out = await owner.client.post("/dashboard/sign-out", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303
    owner.client.cookies.set("ct_session", stolen, path="/dashboard")
    again = await owner.page("/dashboard/acme/links")
    assert again.status_code == 303
    assert again.headers["location"] == "/dashboard/sign-in"
    assert await fetch(app_settings, "SELECT id FROM user_sessions") == []


async def test_sign_out_needs_the_csrf_token(owner: Visitor) -> None:
    assert (await owner.client.post("/dashboard/sign-out", data={})).status_code == 403
    assert (await owner.page("/dashboard/acme/links")).status_code == 200


@pytest.mark.parametrize("path", ["/dashboard/acme/links", "/dashboard/acme/analytics"])
async def test_pages_need_a_session(client: httpx.AsyncClient, tenant: Tenant, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/sign-in"


async def test_an_expired_session_stops_working(owner: Visitor, app_settings: Settings) -> None:
    assert (await owner.page("/dashboard/acme/links")).status_code == 200
    async with connected(app_settings) as conn:
        await conn.execute(
            text("UPDATE user_sessions SET expires_at = :past"), {"past": utcnow() - timedelta(1)}
        )
    answer = await owner.page("/dashboard/acme/links")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard/sign-in"
