"""The customers API (spec §7.1)."""

from __future__ import annotations

from typing import Any

import pytest

from clicktrail.customers.service import (
    BAD_CURSOR,
    BOTH_CURSORS,
    CURSOR_SORT,
    DUPLICATE,
    MIXED,
    NOT_FOUND,
    PAGE_TOO_BIG,
)
from tests.support import Tenant, make_tenant
from tests.tracking.helpers import Tracker, assert_error

Json = dict[str, Any]


async def create(track: Tracker, **body: Any) -> Json:
    response = await track.post("/customers", {"country": "US", **body})
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def listed(track: Tracker, tenant: Tenant | None = None, **params: Any) -> list[Json]:
    response = await track.client.get(
        "/customers", params=params, headers=(tenant or track.tenant).auth
    )
    assert response.status_code == 200, response.text
    found: list[Json] = response.json()
    return found


async def five(track: Tracker) -> list[str]:
    """Five customers, oldest first; returns their ids."""
    return [(await create(track, externalId=f"c{n}", email=f"c{n}@x.co"))["id"] for n in range(5)]


async def test_create_then_get_by_id_and_external_id(track: Tracker) -> None:
    made = await create(track, externalId="u1", name="Ann", email="ann@x.co")
    assert made["sales"] == 0
    assert made["saleAmount"] == 0
    assert made["country"] == "US"
    for ref in (made["id"], "ext_u1"):
        got = await track.client.get(f"/customers/{ref}", headers=track.tenant.auth)
        assert got.json() == made


async def test_a_taken_external_id_is_a_conflict(track: Tracker) -> None:
    await create(track, externalId="u1")
    assert_error(
        await track.post("/customers", {"externalId": "u1", "country": "US"}),
        409,
        "conflict",
        DUPLICATE,
    )


async def test_unknown_customer(track: Tracker) -> None:
    response = await track.client.get("/customers/cus_nope", headers=track.tenant.auth)
    assert_error(response, 404, "not_found", NOT_FOUND)


async def test_newest_first_with_pages(track: Tracker) -> None:
    ids = await five(track)
    assert [c["id"] for c in await listed(track)] == ids[::-1]
    assert [c["id"] for c in await listed(track, page=2, pageSize=2)] == ids[::-1][2:4]
    assert [c["id"] for c in await listed(track, sortOrder="asc", pageSize=3)] == ids[:3]


async def test_cursors_walk_both_ways(track: Tracker) -> None:
    ids = await five(track)
    newest_first = ids[::-1]
    after = await listed(track, startingAfter=newest_first[1], pageSize=2)
    assert [c["id"] for c in after] == newest_first[2:4]
    before = await listed(track, endingBefore=newest_first[3], pageSize=2)
    assert [c["id"] for c in before] == newest_first[1:3]
    assert await listed(track, startingAfter=newest_first[-1]) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"startingAfter": "FIRST", "endingBefore": "FIRST"}, BOTH_CURSORS),
        ({"startingAfter": "FIRST", "sortBy": "saleAmount"}, CURSOR_SORT),
        ({"startingAfter": "FIRST", "page": 2}, MIXED),
        ({"startingAfter": "cus_doesnotexist"}, BAD_CURSOR),
        ({"page": 1001}, PAGE_TOO_BIG),
    ],
)
async def test_paging_mistakes(track: Tracker, params: dict[str, Any], message: str) -> None:
    first = (await five(track))[0]
    query = {k: (first if v == "FIRST" else v) for k, v in params.items()}
    response = await track.client.get("/customers", params=query, headers=track.tenant.auth)
    assert_error(response, 422, "unprocessable_entity", message)


async def test_filters(track: Tracker) -> None:
    await create(track, externalId="a", email="ann@x.co", name="Ann Lee", country="DE")
    await create(track, externalId="b", email="bob@y.co", name="Bob", country="US")
    assert [c["externalId"] for c in await listed(track, email="bob@y.co")] == ["b"]
    assert [c["externalId"] for c in await listed(track, externalId="a")] == ["a"]
    assert [c["externalId"] for c in await listed(track, search="lee")] == ["a"]
    assert [c["externalId"] for c in await listed(track, search="ann@x.co")] == ["a"]
    assert [c["externalId"] for c in await listed(track, country="US")] == ["b"]


async def test_link_filter_and_expanded_fields(track: Tracker) -> None:
    link = await track.link(key="deal")
    await track.lead(clickId=await track.click(link), eventName="Sign up", customerExternalId="u1")
    await create(track, externalId="plain")
    [found] = await listed(track, linkId=link["id"], includeExpandedFields="true")
    assert found["externalId"] == "u1"
    assert found["link"]["id"] == link["id"]
    assert found["link"]["shortLink"] == "http://localhost:8000/deal"
    assert "link" not in (await listed(track, linkId=link["id"]))[0]


async def test_update_changes_only_what_is_sent(track: Tracker) -> None:
    made = await create(track, externalId="u1", name="Ann", email="ann@x.co")
    await create(track, externalId="taken")
    patched = await track.client.patch(
        f"/customers/{made['id']}",
        json={"name": "Anne", "country": "FR"},
        headers=track.tenant.auth,
    )
    assert (patched.json()["name"], patched.json()["email"]) == ("Anne", "ann@x.co")
    assert patched.json()["country"] == "FR"
    clash = await track.client.patch(
        "/customers/ext_u1", json={"externalId": "taken"}, headers=track.tenant.auth
    )
    assert_error(clash, 409, "conflict", DUPLICATE)


async def test_delete_keeps_the_sales_history(track: Tracker) -> None:
    link = await track.link()
    await track.lead(clickId=await track.click(link), eventName="Sign up", customerExternalId="u1")
    sale = await track.sale(customerExternalId="u1", amount=500)
    gone = await track.client.delete("/customers/ext_u1", headers=track.tenant.auth)
    assert gone.json() == {"id": sale["customer"]["id"]}
    again = await track.client.get("/customers/ext_u1", headers=track.tenant.auth)
    assert again.status_code == 404
    assert len(await track.rows("SELECT id FROM sales")) == 1
    assert (await track.counters(link))["sale_amount"] == 500


async def test_other_workspaces_see_nothing(track: Tracker, other_tenant: Tenant) -> None:
    made = await create(track, externalId="u1")
    assert await listed(track, other_tenant) == []
    for method in ("GET", "PATCH", "DELETE"):
        response = await track.client.request(
            method, f"/customers/{made['id']}", json={} if method == "PATCH" else None,
            headers=other_tenant.auth,
        )  # fmt: skip
        assert response.status_code == 404
    assert (await listed(track))[0]["id"] == made["id"]


async def test_customers_need_a_business_plan(track: Tracker) -> None:
    pro = await make_tenant(track.settings, "pro-one", plan="pro")
    response = await track.client.get("/customers", headers=pro.auth)
    assert_error(response, 403, "forbidden", "Unauthorized: Need higher plan.")


async def test_a_customer_without_name_shows_email_or_a_made_up_name(track: Tracker) -> None:
    assert (await create(track, externalId="e", email="eve@x.co"))["name"] == "eve@x.co"
    assert len((await create(track, externalId="n"))["name"].split()) == 3
