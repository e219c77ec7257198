"""Who may ask what: plans, how far back a plan reaches, the per-second budget, and the errors
of a malformed question, each in Dub's envelope (spec §5.1, §5.3, §6, §7.2)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from clicktrail.analytics.request import PRO_RANGE
from clicktrail.app import Root
from clicktrail.models import Workspace
from tests.analytics.helpers import analytics, assert_error, get, visit
from tests.support import Tenant, make_tenant
from tests.tracking.helpers import Tracker

NEED_HIGHER_PLAN = "Unauthorized: Need higher plan."
PAID_ONLY = "Analytics API is only available on paid plans."


async def tenant_of(app: Root, plan: str, slug: str | None = None) -> Tenant:
    return await make_tenant(app.api.state.runtime.settings, slug or f"{plan}-ws", plan=plan)


async def created(app: Root, tenant: Tenant, at: datetime) -> None:
    """Back-date a workspace's creation, as time passing would."""
    async with app.api.state.runtime.db.writer.begin() as conn:
        await conn.execute(
            update(Workspace).where(Workspace.id == tenant.workspace_id).values(created_at=at)
        )


async def test_a_free_workspace_may_not_use_the_analytics_api(
    client: httpx.AsyncClient, app: Root
) -> None:
    """A 403 that says why, not the 429 of a budget of zero requests a second."""
    free = await tenant_of(app, "free")
    assert_error(await client.get("/analytics", headers=free.auth), 403, "forbidden", PAID_ONLY)
    events = await client.get("/events", headers=free.auth)
    assert_error(events, 403, "forbidden", "Unauthorized: Need higher plan.")


async def test_events_need_a_business_plan(client: httpx.AsyncClient, app: Root) -> None:
    pro = await tenant_of(app, "pro")
    for event in ("clicks", "leads", "sales"):
        response = await get(client, pro, "/events", event=event)
        assert_error(response, 403, "forbidden", NEED_HIGHER_PLAN)
    assert (await get(client, pro, "/analytics", event="sales")).status_code == 200


async def test_a_pro_workspace_has_analytics_for_a_year(
    client: httpx.AsyncClient, app: Root
) -> None:
    pro = await tenant_of(app, "pro")
    for interval in ("24h", "30d", "90d", "1y", "ytd", "all"):
        assert await analytics(client, pro, interval=interval) == {
            "clicks": 0, "leads": 0, "sales": 0, "saleAmount": 0,
        }  # fmt: skip
    now = datetime.now(UTC)
    year = {"start": (now - timedelta(days=365)).isoformat(), "end": now.isoformat()}
    assert (await get(client, pro, "/analytics", **year)).status_code == 200


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2024-01-01T00:00:00Z", "2025-01-03T00:00:00Z"),  # 368 days
        ("2023-01-01T00:00:00Z", None),  # until now
        ("2025-01-03T00:00:00Z", "2024-01-01T00:00:00Z"),  # reversed, as long
    ],
)
async def test_a_pro_workspace_may_not_ask_for_more_than_366_days(
    client: httpx.AsyncClient, app: Root, start: str, end: str | None
) -> None:
    pro = await tenant_of(app, "pro")
    params = {"start": start} | ({"end": end} if end else {})
    response = await get(client, pro, "/analytics", **params)
    assert_error(response, 403, "forbidden", PRO_RANGE)
    exact = await get(  # widened to 367 whole days, but the limit reads the range as asked
        client, pro, "/analytics", start="2024-01-01T00:00:00Z", end="2025-01-01T00:00:00Z"
    )
    assert exact.status_code == 200, exact.text  # 366 days: a leap year


async def test_all_time_on_pro_is_refused_once_the_workspace_is_over_a_year_old(
    client: httpx.AsyncClient, app: Root
) -> None:
    pro = await tenant_of(app, "pro")
    await created(app, pro, datetime.now(UTC) - timedelta(days=367))
    assert_error(await get(client, pro, "/analytics", interval="all"), 403, "forbidden", PRO_RANGE)
    assert (await get(client, pro, "/analytics", interval="1y")).status_code == 200


async def test_all_time_on_pro_is_measured_from_the_workspaces_creation(
    client: httpx.AsyncClient, app: Root
) -> None:
    """Not from the first day of that month, where the first monthly bucket begins: a
    workspace a day short of a year old may still ask for all of its time."""
    pro = await tenant_of(app, "pro")
    await created(app, pro, datetime.now(UTC) - timedelta(days=366, minutes=-1))
    for zone in ("UTC", "Pacific/Kiritimati", "America/Los_Angeles"):
        response = await get(client, pro, "/analytics", interval="all", timezone=zone)
        assert response.status_code == 200, response.text
        rows = await analytics(client, pro, interval="all", timezone=zone, groupBy="timeseries")
        assert len(rows) in (13, 14)  # monthly, from the month of creation


async def test_larger_plans_reach_back_without_limit(client: httpx.AsyncClient, app: Root) -> None:
    for plan in ("business", "advanced", "enterprise"):
        tenant = await tenant_of(app, plan)
        await created(app, tenant, datetime.now(UTC) - timedelta(days=1000))
        for path, params in [
            ("/analytics", {"interval": "all"}),
            ("/events", {"interval": "all"}),
            ("/events", {"start": "2022-09-22T00:00:00Z"}),
        ]:
            assert (await get(client, tenant, path, **params)).status_code == 200, (plan, path)


MALFORMED = [
    ({"programId": "prog_1"},
     "custom: programId: clicktrail has no partner programs, so it cannot filter by program."),
    ({"groupId": "grp_1"},
     "custom: groupId: clicktrail has no partner groups, so it cannot filter by group."),
    ({"partnerTagId": "ptag_1"},
     "custom: partnerTagId: clicktrail has no partner tags, so it cannot filter by partner tag."),
    ({"saleType": "old"},
     'invalid_value: saleType: Invalid option: expected one of "new"|"recurring"'),
    ({"query": "plan:pro"},
     "custom: query: cannot read 'plan:pro'; write metadata['key']:'value'."),
    ({"query": "metadata['a']:1 OR metadata['b']:2"},
     "custom: query: OR is not supported; conditions can only be joined by AND."),
    ({"query": "metadata['seats']>many"},
     "custom: query: > compares numbers, and 'many' is not one."),
    ({"start": "2022-09-21T23:59:59Z"}, "too_small: start: start must be on or after 2022-09-22"),
    ({"interval": "2d"},
     'invalid_value: interval: Invalid option: expected one of "24h"|"7d"|"30d"|"90d"|"1y"|'
     '"mtd"|"qtd"|"ytd"|"all"'),
]  # fmt: skip
UNKNOWN = [
    ("/analytics", {"groupBy": "planets"},
     'invalid_value: groupBy: Invalid option: expected one of "count"|"timeseries"|'
     '"continents"|"regions"|"countries"|"cities"|"devices"|"browsers"|"os"|"triggers"|'
     '"trigger"|"referers"|"referer_urls"|"top_folders"|"top_link_tags"|"top_domains"|'
     '"top_links"|"top_urls"|"top_base_urls"|"utm_sources"|"utm_mediums"|"utm_campaigns"|'
     '"utm_terms"|"utm_contents"'),
    ("/analytics", {"event": "views"},
     'invalid_value: event: Invalid option: expected one of "clicks"|"leads"|"sales"|'
     '"composite"'),
    ("/events", {"event": "composite"},
     'invalid_value: event: Invalid option: expected one of "clicks"|"leads"|"sales"'),
    ("/events", {"page": "0"}, "too_small: page: Too small: expected number to be >=1"),
    ("/events", {"limit": "1001"}, "too_big: limit: Too big: expected number to be <=1000"),
    ("/events", {"sortOrder": "up"},
     'invalid_value: sortOrder: Invalid option: expected one of "asc"|"desc"'),
]  # fmt: skip


@pytest.mark.parametrize("path", ["/analytics", "/events"])
async def test_malformed_questions_are_422_in_the_error_envelope(
    client: httpx.AsyncClient, tenant: Tenant, path: str
) -> None:
    cases = [(path, params, message) for params, message in MALFORMED] + [
        case for case in UNKNOWN if case[0] == path
    ]
    for where, params, message in cases:
        response = await get(client, tenant, where, **params)
        assert_error(response, 422, "unprocessable_entity", message)
        assert response.json()["error"]["doc_url"] == (
            "https://dub.co/docs/api-reference/errors#unprocessable-entity"
        )


async def test_another_workspaces_link_is_not_found(
    client: httpx.AsyncClient, track: Tracker, other_tenant: Tenant
) -> None:
    theirs = await track.link(key="theirs")
    await visit(client, theirs)
    for params in (
        {"linkId": theirs["id"]},
        {"domain": theirs["domain"], "key": "theirs"},
        {"linkId": "link_doesnotexist"},
        {"linkId": theirs["id"], "country": "US"},  # with other filters too
        {"linkId": f"{theirs['id']},link_doesnotexist", "groupBy": "countries"},
    ):
        for path in ("/analytics", "/events"):
            response = await get(client, other_tenant, path, **params)
            assert_error(response, 404, "not_found", "Link not found.")
    assert (await analytics(client, track.tenant, linkId=theirs["id"]))["clicks"] == 1


@pytest.mark.parametrize("path", ["/analytics", "/events"])
async def test_no_key_no_answer(client: httpx.AsyncClient, path: str) -> None:
    assert_error(await client.get(path), 401, "unauthorized", "Missing Authorization header.")
    response = await client.get(path, headers={"Authorization": "Bearer dub_nonsense"})
    assert_error(response, 401, "unauthorized", "Unauthorized: Invalid API key.")


async def test_the_analytics_budget_is_per_second_with_dubs_headers(
    client: httpx.AsyncClient, app: Root
) -> None:
    business = await tenant_of(app, "business")  # 4 requests a second
    answers = [await client.get("/analytics", headers=business.auth) for _ in range(10)]
    refused = [r for r in answers if r.status_code == 429]
    assert refused, [r.status_code for r in answers]
    assert sum(r.status_code == 200 for r in answers) >= 4
    last = refused[-1]
    assert_error(last, 429, "rate_limit_exceeded", "Too many requests.")
    headers = last.headers
    assert headers["X-RateLimit-Limit"] == "4"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["Retry-After"] == headers["X-RateLimit-Reset"]
    reset = int(headers["X-RateLimit-Reset"]) / 1000  # Unix epoch in milliseconds
    assert time.time() - 1 < reset < time.time() + 2
    await asyncio.sleep(max(reset - time.time(), 0) + 1.1)
    assert (await client.get("/events", headers=business.auth)).status_code == 200


async def test_events_and_analytics_share_one_budget(client: httpx.AsyncClient, app: Root) -> None:
    business = await tenant_of(app, "business")
    paths = ["/events", "/analytics"] * 5
    answers = [await client.get(path, headers=business.auth) for path in paths]
    assert sum(r.status_code == 429 for r in answers) >= 1
    assert {r.status_code for r in answers} == {200, 429}
    other = await client.get("/links", headers=business.auth)  # another budget: per minute
    assert other.status_code == 200
