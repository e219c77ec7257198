"""Customers as Dub keeps them (issue 15): a fallback name stored once, filters combined with
Dub's precedence, and expanded fields on the one-customer routes."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text, update

from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.models import Customer
from clicktrail.storage.migrate import upgrade
from tests.customers.test_endpoints import create, listed
from tests.redirect.helpers import execute
from tests.tracking.helpers import Tracker

Json = dict[str, Any]


async def get(track: Tracker, ref: str, **params: Any) -> Json:
    response = await track.client.get(f"/customers/{ref}", params=params, headers=track.tenant.auth)
    assert response.status_code == 200, response.text
    found: Json = response.json()
    return found


async def test_a_made_up_name_is_stored_once_and_read_back_the_same(track: Tracker) -> None:
    made = await create(track, externalId="n")
    assert len(made["name"].split()) == 3
    reads = {(await get(track, made["id"]))["name"] for _ in range(5)}
    reads |= {c["name"] for c in await listed(track)}
    assert reads == {made["name"]}
    [row] = await track.rows("SELECT name FROM customers")
    assert row["name"] == made["name"]


async def test_the_email_is_stored_as_the_name_when_no_name_is_given(track: Tracker) -> None:
    made = await create(track, externalId="e", email="eve@x.co")
    [row] = await track.rows("SELECT name, email FROM customers")
    assert (made["name"], row["name"], row["email"]) == ("eve@x.co", "eve@x.co", "eve@x.co")


async def test_a_name_taken_away_is_made_up_once(track: Tracker) -> None:
    made = await create(track, externalId="n", name="Ann")
    patched = await track.client.patch(
        f"/customers/{made['id']}", json={"name": None}, headers=track.tenant.auth
    )
    assert patched.status_code == 200, patched.text
    name = patched.json()["name"]
    assert name != "Ann"
    assert len(name.split()) == 3
    assert (await get(track, made["id"]))["name"] == name


async def test_email_combines_with_country_and_link(track: Tracker) -> None:
    link = await track.link(key="deal")
    await track.lead(
        clickId=await track.click(link), eventName="Sign up", customerExternalId="u1",
        customerEmail="same@x.co",
    )  # fmt: skip
    await create(track, externalId="de", email="same@x.co", country="DE")
    await create(track, externalId="us", email="same@x.co", country="US")
    by_country = await listed(track, email="same@x.co", country="DE")
    assert [c["externalId"] for c in by_country] == ["de"]
    by_link = await listed(track, email="same@x.co", linkId=link["id"])
    assert [c["externalId"] for c in by_link] == ["u1"]
    assert await listed(track, email="same@x.co", country="FR") == []
    assert {c["externalId"] for c in await listed(track, email="same@x.co")} == {"u1", "de", "us"}


async def test_email_wins_over_external_id_which_wins_over_search(track: Tracker) -> None:
    await create(track, externalId="a", email="ann@x.co", name="Ann Lee", country="DE")
    await create(track, externalId="b", email="bob@y.co", name="Bob", country="US")
    assert [c["externalId"] for c in await listed(track, externalId="a", search="bob")] == ["a"]
    assert [c["externalId"] for c in await listed(track, email="bob@y.co", externalId="a")] == ["b"]
    both = await listed(track, externalId="b", search="lee", country="US")
    assert [c["externalId"] for c in both] == ["b"]
    assert await listed(track, externalId="b", country="DE") == []


async def test_expanded_fields_on_get_and_patch(track: Tracker) -> None:
    link = await track.link(key="deal")
    await track.lead(clickId=await track.click(link), eventName="Sign up", customerExternalId="u1")
    plain = await get(track, "ext_u1")
    assert "link" not in plain
    expanded = await get(track, "ext_u1", includeExpandedFields="true")
    assert expanded["link"] == {
        "id": link["id"], "domain": "localhost:8000", "key": "deal",
        "shortLink": "http://localhost:8000/deal", "url": link["url"], "programId": None,
    }  # fmt: skip
    assert {k: expanded[k] for k in plain} == plain
    assert (expanded["programId"], expanded["partner"], expanded["discount"]) == (None,) * 3
    patched = await track.client.patch(
        "/customers/ext_u1", params={"includeExpandedFields": "true"}, json={"name": "Uma"},
        headers=track.tenant.auth,
    )  # fmt: skip
    assert (patched.json()["name"], patched.json()["link"]["id"]) == ("Uma", link["id"])
    unexpanded = await track.client.patch(
        "/customers/ext_u1", json={"name": "Una"}, headers=track.tenant.auth
    )
    assert "link" not in unexpanded.json()


async def test_expanded_fields_of_a_customer_without_a_link(track: Tracker) -> None:
    made = await create(track, externalId="plain")
    assert (await get(track, made["id"], includeExpandedFields="true"))["link"] is None
    bad = await track.client.get(
        f"/customers/{made['id']}", params={"includeExpandedFields": "maybe"},
        headers=track.tenant.auth,
    )  # fmt: skip
    assert bad.status_code == 422


async def test_migration_0010_names_nameless_customers_once(
    client: httpx.AsyncClient, track: Tracker, app: Root, settings: Settings
) -> None:
    named = await create(track, externalId="named", name="Ann")
    mailed = await create(track, externalId="mailed", email="eve@x.co")
    bare = await create(track, externalId="bare")
    gone = Customer.id.in_([mailed["id"], bare["id"]])
    await execute(settings, update(Customer).where(gone).values(name=None))
    await execute(settings, text("UPDATE alembic_version SET version_num = '0009'"))
    await upgrade(settings.database_url, "0010")  # later revisions are in the schema already
    rows = {r["id"]: r["name"] for r in await track.rows("SELECT id, name FROM customers")}
    assert rows[named["id"]] == "Ann"
    assert rows[mailed["id"]] == "eve@x.co"
    assert len(rows[bare["id"]].split()) == 3
    assert (await get(track, bare["id"]))["name"] == rows[bare["id"]]
