"""Totals stay exact past 64 bits (issue 11): 1,100 sales of the largest amount push every
total (the link's, the customer's, the workspace's and the link's rollups) past 2^63, and
still every listing, every analytics question and the next small sale answer 200, with the
totals equal to a recount of the sales themselves. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import httpx
import pytest

from clicktrail import admin
from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.kit.currency import parse_rates
from clicktrail.storage import totals
from tests.support import Tenant, make_tenant
from tests.tracking.helpers import Json, Tracker, assert_error, serving

MOST = 2**53 - 1  # the largest amount a sale may have (Dub's bound)
SALES = 1_100  # MOST * SALES > 2**63 - 1
GROUPINGS = ("count", "timeseries", "top_links", "devices", "browsers", "countries")


@pytest.fixture
async def big(client: httpx.AsyncClient, app: Root) -> Tracker:
    """A workspace whose key may send 1,100 sales in a minute (the enterprise plan's budget)."""
    tenant: Tenant = await make_tenant(app.api.state.runtime.settings, "big", plan="enterprise")
    return Tracker(client, tenant, app.api.state.runtime.settings)


async def test_totals_past_64_bits_stay_exact_and_readable(big: Tracker) -> None:
    link = await big.link()
    await big.lead(clickId=await big.click(link), eventName="Sign up", customerExternalId="whale")
    for n in range(SALES):
        answer = await big.sale(customerExternalId="whale", amount=MOST, invoiceId=f"in_{n}")
        assert answer["sale"]["amount"] == MOST
    assert await _recount(big) == MOST * SALES > 2**63

    other = await big.link()
    await big.lead(clickId=await big.click(other), eventName="Sign up", customerExternalId="minnow")
    assert (await big.sale(customerExternalId="minnow", amount=250))["sale"]["amount"] == 250
    assert (await big.sale(customerExternalId="whale", amount=1))["sale"]["amount"] == 1

    whale_total = MOST * SALES + 1
    assert await _recount(big) == whale_total + 250
    await _assert_listings(big, {link["id"]: whale_total, other["id"]: 250})
    await _assert_analytics(big, link["id"], whale_total)


async def _recount(track: Tracker) -> int:
    """The sales themselves, added up here: the truth every total must equal."""
    return sum(row["amount"] for row in await track.rows("SELECT amount FROM sales"))


async def _get(track: Tracker, path: str, **params: str | int) -> httpx.Response:
    response = await track.client.get(path, params=params, headers=track.tenant.auth)
    assert response.status_code == 200, (path, params, response.text)
    return response


async def _assert_listings(track: Tracker, totals: dict[str, int]) -> None:
    links = (await _get(track, "/links", sortBy="saleAmount")).json()
    assert [(row["id"], row["saleAmount"]) for row in links] == list(totals.items())
    customers = (await _get(track, "/customers", sortBy="saleAmount")).json()
    assert [row["saleAmount"] for row in customers] == list(totals.values())
    assert [row["sales"] for row in customers] == [SALES + 1, 1]
    sales = (await _get(track, "/events", event="sales", limit=100)).json()
    assert {row["link"]["saleAmount"] for row in sales} == set(totals.values())
    await _get(track, "/events", event="leads")


async def _assert_analytics(track: Tracker, link_id: str, whale_total: int) -> None:
    workspace_total = whale_total + 250
    for group_by in GROUPINGS:
        rows = (await _get(track, "/analytics", event="sales", groupBy=group_by)).json()
        found = _amounts(rows)
        # timeseries shows every bucket; the others one row per value with sales
        assert sum(found) == workspace_total, group_by
    per_link = (await _get(track, "/analytics", event="sales", linkId=link_id)).json()
    assert (per_link["sales"], per_link["saleAmount"]) == (SALES + 1, whale_total)
    # a filter reads the events themselves rather than the rollups
    raw = (await _get(track, "/analytics", event="composite", device="Desktop")).json()
    assert (raw["sales"], raw["saleAmount"]) == (SALES + 2, workspace_total)


def _amounts(rows: Json | list[Json]) -> list[int]:
    return [row["saleAmount"] for row in (rows if isinstance(rows, list) else [rows])]


async def test_a_sale_worth_more_than_any_total_can_add_is_refused(settings: Settings) -> None:
    """Only a rate far below any real currency's gets there: 2**53 - 1 at 0.1 to the dollar."""
    tiny = '{"date": "2026-12-01", "base": "USD", "rates": {"KWD": "0.1"}}'
    await admin.run(settings, lambda ctx: admin.load_rates(ctx, parse_rates(tiny)))
    tenant = await make_tenant(settings, "big")
    async with serving(settings, tenant) as track:
        await track.lead(
            clickId=await track.click(await track.link()), eventName="Sign up",
            customerExternalId="u",
        )  # fmt: skip
        sale = {"customerExternalId": "u", "amount": MOST, "currency": "kwd", "invoiceId": "in"}
        refused = await track.post("/track/sale", sale)
        assert_error(
            refused, 422, "unprocessable_entity",
            f"too_big: amount: {MOST} KWD is {MOST * 10} US cents; one sale may be at most "
            f"{totals.MOST_PER_SALE} US cents.",
        )  # fmt: skip
        assert await track.rows("SELECT id FROM sales") == []
        # nothing was kept, not even the invoice id
        assert (await track.sale(**sale | {"amount": 100}))["sale"]["amount"] == 1000
