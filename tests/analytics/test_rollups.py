"""The rollups kept at write time are exactly what a rebuild from the stored events computes:
after clicks, leads (several at once, repeated, deferred) and sales (in other currencies,
repeated invoices), and after a link and its events are deleted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clicktrail.analytics.rebuild import Scope, rebuild
from clicktrail.app import Root
from tests.analytics.helpers import (
    DE,
    IN,
    IPHONE,
    Json,
    Scenario,
    all_events,
    analytics,
    assert_error,
    get,
    ok,
    scenario,
    visit,
)
from tests.support import Tenant, fetch, folded, with_sale_amount

MEASURES = ("clicks", "leads", "sales", "saleAmount")
SNAPSHOT = (
    "SELECT workspace_id, link_id, dim, grain, bucket, value, clicks, leads, sales, "
    "sale_amount_high, sale_amount_low FROM rollups "
    "ORDER BY workspace_id, link_id, dim, grain, bucket, value"
)


@pytest.fixture
async def events(client: httpx.AsyncClient, tenant: Tenant) -> Scenario:
    return await scenario(client, tenant)


async def snapshot(app: Root) -> list[Json]:
    """The rollups, each total joined from its parts (which a rebuild must spell alike too)."""
    await folded(app.api.state.runtime.settings)
    rows = await fetch(app.api.state.runtime.settings, SNAPSHOT)
    return [row | with_sale_amount(row) for row in rows]


async def rebuilt(app: Root, scope: Scope | None = None) -> list[Json]:
    """The rollups table after `clicktrail analytics rebuild`, run on the server's writer."""
    async with app.api.state.runtime.db.writer.begin() as conn:
        await conn.run_sync(lambda sync: rebuild(sync, scope or Scope()))
    return await snapshot(app)


def measures(row: Json) -> tuple[int, ...]:
    return tuple(row[name] for name in MEASURES)


async def track(client: httpx.AsyncClient, tenant: Tenant, path: str, **body: Any) -> Json:
    response = await client.post(path, json=body, headers=tenant.auth)
    assert response.status_code == 200, response.text
    answer: Json = response.json()
    return answer


async def more_of_everything(client: httpx.AsyncClient, tenant: Tenant, events: Scenario) -> None:
    """Events of every other kind the track API records (or refuses to record twice)."""
    lead = {
        "eventName": "Sign up",
        "customerExternalId": "u1",
        "clickId": events.clicks["alpha-de"],
    }
    await track(client, tenant, "/track/lead", **lead)  # the same event again: not recorded
    await track(client, tenant, "/track/lead", eventName="Trial", customerExternalId="u1")
    await track(
        client, tenant, "/track/lead", eventName="Demo", customerExternalId="u9",
        clickId=events.clicks["beta-de"], mode="deferred",
    )  # fmt: skip
    sale = {"customerExternalId": "u3", "amount": 1580, "currency": "jpy", "invoiceId": "in_7"}
    await track(client, tenant, "/track/sale", **sale)
    await track(client, tenant, "/track/sale", **sale)  # the invoice again: not recorded
    await track(client, tenant, "/track/sale", customerExternalId="u2", amount=0)  # no sale


async def test_rollups_kept_at_write_time_equal_a_rebuild(
    client: httpx.AsyncClient, tenant: Tenant, app: Root, events: Scenario
) -> None:
    await more_of_everything(client, tenant, events)
    kept = await snapshot(app)
    assert len(kept) > 50
    assert {row["grain"] for row in kept} == {"h", "d"}
    assert await rebuilt(app) == kept
    assert await rebuilt(app, Scope(workspace_id=tenant.workspace_id)) == kept


async def test_rollups_hold_what_the_events_hold(
    client: httpx.AsyncClient, tenant: Tenant, app: Root, events: Scenario
) -> None:
    await more_of_everything(client, tenant, events)
    total = await analytics(client, tenant, event="composite", interval="all")
    rows = await snapshot(app)
    for grain in ("h", "d"):
        mine = [r for r in rows if r["grain"] == grain and r["link_id"] == "" and r["dim"] == ""]
        summed = tuple(sum(r[m] for r in mine) for m in ("clicks", "leads", "sales", "sale_amount"))
        assert summed == measures(total)
    clicks = await all_events(client, tenant, limit=100, interval="all")
    leads = await all_events(client, tenant, limit=100, interval="all", event="leads")
    sales = await all_events(client, tenant, limit=100, interval="all", event="sales")
    amount = sum(s["sale"]["amount"] for s in sales)
    assert measures(total) == (len(clicks), len(leads), len(sales), amount)
    assert (len(clicks), len(leads), len(sales)) == (5, 7, 4)  # + Trial; + the yen sale


async def test_a_rebuild_of_one_workspace_leaves_the_others_alone(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, app: Root, events: Scenario
) -> None:
    theirs = await client.post(
        "/links",
        json={"url": "https://example.org/", "key": "theirs", "trackConversion": True},
        headers=other_tenant.auth,
    )
    for _ in range(2):
        await visit(client, theirs.json(), place=IN)
    kept = await snapshot(app)
    assert {row["workspace_id"] for row in kept} == {tenant.workspace_id, other_tenant.workspace_id}
    assert await rebuilt(app, Scope(workspace_id=other_tenant.workspace_id)) == kept
    assert await rebuilt(app, Scope(workspace_id=tenant.workspace_id)) == kept


async def test_deleting_a_link_takes_exactly_its_events_out(
    client: httpx.AsyncClient, tenant: Tenant, app: Root, events: Scenario
) -> None:
    alpha = events.alpha["id"]
    common = {"event": "composite", "interval": "all"}
    before = measures(await analytics(client, tenant, **common))
    own = measures(await ok(client, tenant, "/links/info", linkId=alpha))
    assert own == (3, 4, 2, events.amounts["alpha"])

    deleted = await client.delete(f"/links/{alpha}", headers=tenant.auth)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"id": alpha}

    left = tuple(b - o for b, o in zip(before, own, strict=True))
    assert left == (2, 2, 1, events.amounts["beta"])
    assert measures(await analytics(client, tenant, **common)) == left
    for group_by in ("countries", "timeseries", "top_links", "devices", "utm_sources"):
        rows = await analytics(client, tenant, groupBy=group_by, **common)
        summed = tuple(sum(row[m] for row in rows) for m in MEASURES)
        assert summed == (left if group_by != "utm_sources" else (0, 0, 0, 0)), group_by
    top = await analytics(client, tenant, groupBy="top_links", **common)
    assert [row["id"] for row in top] == [events.beta["id"]]
    for event in ("clicks", "leads", "sales"):
        rows = await all_events(client, tenant, limit=100, interval="all", event=event)
        assert rows, event
        assert {row["link"]["id"] for row in rows} == {events.beta["id"]}
    assert_error(await get(client, tenant, "/analytics", linkId=alpha), 404, "not_found",
                 "Link not found.")  # fmt: skip

    kept = await snapshot(app)
    assert not [row for row in kept if alpha in (row["link_id"], row["value"])]
    assert not [row for row in kept if row["value"] in ("IN", "news")]  # only alpha had them
    assert await rebuilt(app) == kept


async def test_a_deleted_customers_events_still_count(
    client: httpx.AsyncClient, tenant: Tenant, app: Root, events: Scenario
) -> None:
    before = await analytics(client, tenant, event="composite", interval="all")
    kept = await snapshot(app)
    response = await client.delete(f"/customers/{events.customers['u1']}", headers=tenant.auth)
    assert response.status_code == 200, response.text
    assert await analytics(client, tenant, event="composite", interval="all") == before
    assert await snapshot(app) == kept
    assert await rebuilt(app) == kept


async def test_new_events_after_a_rebuild_add_to_the_rebuilt_rows(
    client: httpx.AsyncClient, tenant: Tenant, app: Root, events: Scenario
) -> None:
    await rebuilt(app)
    click = await visit(client, events.gamma, place=DE, ua=IPHONE)
    await track(client, tenant, "/track/lead", clickId=click, eventName="Sign up",
                customerExternalId="u5")  # fmt: skip
    await track(client, tenant, "/track/sale", customerExternalId="u5", amount=700)
    kept = await snapshot(app)
    assert await rebuilt(app) == kept
    gamma = await analytics(client, tenant, event="composite", interval="all",
                            linkId=events.gamma["id"])  # fmt: skip
    assert measures(gamma) == (1, 1, 1, 700)
