"""Huge amounts, repeated (issue 11): over a thousand sales of near-maximal amounts, in
currencies that make them larger still in US cents, sent at once over the seeded customers.
They push the link, customer and workspace totals past 2^63; every read of the workspace
must still answer 200 and equal a recount of the sales, and the next small sale go through.

Runs before test_openapi (file order), which then fuzzes every operation of a workspace whose
totals no 64-bit integer holds."""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from typing import Any

import httpx
import pytest

from clicktrail.analytics.service import GroupBy
from tests.fuzz.workspace import Workspace
from tests.support import LiveServer, fetch_sync

MOST = 2**53 - 1
SALES = 1_400
AT_ONCE = 8
SEED = int(os.environ.get("CLICKTRAIL_FUZZ_SEED", "20250601"))
# More US cents than units (GBP), fewer (JPY: whole yen), about as many (EUR, USD).
CURRENCIES = ("usd", "gbp", "eur", "gbp", "jpy")
CUSTOMERS = ("cus-0",) * 8 + ("cus-1", "cus-2")  # cus-0 alone passes 2^63
Json = dict[str, Any]
WHOLE = {"count", "timeseries", "top_links", "top_domains", "top_base_urls"}


@pytest.fixture(scope="module")
def huge(fuzz_server: LiveServer, workspace: Workspace) -> Counter[int]:
    """Sends the sales; returns how many answers had each status."""
    chosen = random.Random(SEED)
    sales = [
        {
            "customerExternalId": chosen.choice(CUSTOMERS),
            "amount": MOST - chosen.choice((0, 1, chosen.randrange(2**20))),
            "currency": chosen.choice(CURRENCIES),
            "invoiceId": f"huge-{n}",
        }
        for n in range(SALES)
    ]
    return asyncio.run(_send(fuzz_server.url, workspace, sales))


async def _send(url: str, workspace: Workspace, sales: list[Json]) -> Counter[int]:
    gate = asyncio.Semaphore(AT_ONCE)
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:

        async def one(sale: Json) -> int:
            async with gate:
                response = await http.post("/track/sale", json=sale, headers=workspace.auth())
                return response.status_code

        return Counter(await asyncio.gather(*(one(sale) for sale in sales)))


def _recount(server: LiveServer) -> tuple[Counter[str], Counter[str], int]:
    """The sales themselves, added up here: per link, per customer, in all."""
    rows = fetch_sync(server.settings, "SELECT link_id, customer_id, amount FROM sales")
    links, customers = Counter[str](), Counter[str]()
    for row in rows:
        links[row["link_id"]] += row["amount"]
        customers[row["customer_id"]] += row["amount"]
    return links, customers, sum(links.values())


def _get(server: LiveServer, workspace: Workspace, path: str, **params: str) -> Any:
    response = httpx.get(server.url + path, params=params, headers=workspace.auth(), timeout=30)
    assert response.status_code == 200, (path, params, response.text)
    return response.json()


def test_every_sale_is_recorded(huge: Counter[int], fuzz_server: LiveServer) -> None:
    assert huge == {200: SALES}
    *_, total = _recount(fuzz_server)
    assert total > 2**63


@pytest.mark.parametrize("path", ["/links", "/customers"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_listings_sorted_by_amount_show_exact_totals(
    huge: Counter[int], fuzz_server: LiveServer, workspace: Workspace, path: str, order: str
) -> None:
    links, customers, _ = _recount(fuzz_server)
    counted = links if path == "/links" else customers
    rows = _get(fuzz_server, workspace, path, sortBy="saleAmount", sortOrder=order)
    shown = [(row["id"], row["saleAmount"]) for row in rows]
    expected = sorted(shown, key=lambda item: item[1], reverse=order == "desc")
    assert [amount for _, amount in shown] == [amount for _, amount in expected]
    assert {id_: amount for id_, amount in shown if amount} == +counted
    assert max(amount for _, amount in shown) > 2**63


@pytest.mark.parametrize("event", ["clicks", "leads", "sales"])
def test_events_answer(
    huge: Counter[int], fuzz_server: LiveServer, workspace: Workspace, event: str
) -> None:
    links, _, _ = _recount(fuzz_server)
    for row in _get(fuzz_server, workspace, "/events", event=event, limit="100"):
        assert row["link"]["saleAmount"] == links[row["link"]["id"]]


@pytest.mark.parametrize("group_by", [g.value for g in GroupBy])
def test_analytics_totals_equal_a_recount(
    huge: Counter[int], fuzz_server: LiveServer, workspace: Workspace, group_by: str
) -> None:
    *_, total = _recount(fuzz_server)
    found = _get(
        fuzz_server, workspace, "/analytics", event="sales", groupBy=group_by, interval="all"
    )
    rows = found if isinstance(found, list) else [found]
    summed = sum(row["saleAmount"] for row in rows)
    # every sale has a bucket and a link; not every one a value of each dimension (other
    # fuzz tests' sales come from links without UTM tags, clicks without a place)
    assert summed == total if group_by in WHOLE else 0 < summed <= total


def test_analytics_of_one_link_and_of_a_filter(
    huge: Counter[int], fuzz_server: LiveServer, workspace: Workspace
) -> None:
    links, _, total = _recount(fuzz_server)
    link_id, amount = links.most_common(1)[0]
    one = _get(fuzz_server, workspace, "/analytics", event="sales", linkId=link_id, interval="all")
    assert one["saleAmount"] == amount > 2**63
    # a filter reads the events rather than the rollups
    raw = _get(fuzz_server, workspace, "/analytics", event="sales", country="FR", interval="all")
    assert raw["saleAmount"] == total


def test_a_small_sale_still_goes_through(
    huge: Counter[int], fuzz_server: LiveServer, workspace: Workspace
) -> None:
    for customer in ("cus-0", "cus-2"):
        sale = {"customerExternalId": customer, "amount": 1, "currency": "usd"}
        response = httpx.post(
            fuzz_server.url + "/track/sale", json=sale, headers=workspace.auth(), timeout=30
        )
        assert response.status_code == 200, response.text
    _, customers, _ = _recount(fuzz_server)
    shown = _get(fuzz_server, workspace, "/customers", sortBy="saleAmount")
    assert {row["id"]: row["saleAmount"] for row in shown if row["saleAmount"]} == +customers
