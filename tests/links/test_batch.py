"""`PUT /links/upsert` and `POST`/`PATCH`/`DELETE /links/bulk`: Dub's per-item errors, nothing
half-written, no webhook for a bulk operation; and link fields clicktrail cannot keep refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clicktrail.config import Settings
from tests.links.helpers import URL, LinksApi, assert_error, assert_unprocessable, ok
from tests.support import fetch
from tests.webhooks.helpers import Hooks


async def bulk(acme: LinksApi, method: str, **kwargs: Any) -> httpx.Response:
    return await acme.client.request(method, "/links/bulk", headers=acme.tenant.auth, **kwargs)


def answer(response: httpx.Response) -> Any:
    """A body that may be a list (bulk), an object or a string."""
    assert response.status_code == 200, response.text
    return response.json()


async def events(settings: Settings) -> list[str]:
    rows = await fetch(settings, "SELECT event FROM webhook_events ORDER BY created_at")
    return [str(row["event"]) for row in rows]


async def test_upsert_creates_then_updates_the_link_to_that_url(acme: LinksApi) -> None:
    response = await acme.client.put(
        "/links/upsert", json={"url": URL, "externalId": "u1"}, headers=acme.tenant.auth
    )
    created = ok(response)
    again = ok(
        await acme.client.put(
            "/links/upsert", json={"url": URL, "title": "Spring"}, headers=acme.tenant.auth
        )
    )
    assert again["id"] == created["id"]
    assert (again["title"], again["externalId"], again["key"]) == ("Spring", "u1", created["key"])
    other = ok(
        await acme.client.put("/links/upsert", json={"url": URL + "/b"}, headers=acme.tenant.auth)
    )
    assert other["id"] != created["id"]
    assert await acme.count() == 2


async def test_bulk_create_reports_each_failure_and_writes_only_the_rest(
    acme: LinksApi, globex: LinksApi, settings: Settings
) -> None:
    await acme.create(key="taken")
    await globex.create(key="g", domain="go.globex.test")
    items = [
        {"url": URL, "key": "fresh"},
        {"url": URL, "key": "taken"},
        {"url": "javascript:alert(1)", "key": "bad-url"},
        {"url": URL, "key": "theirs", "domain": "go.globex.test"},
        {"url": URL, "key": "tagged", "tagIds": ["tag_1"]},
        {"url": URL, "key": "new-domain", "domain": "go.acme.test"},
    ]
    found = answer(await bulk(acme, "POST", json=items))
    made = [item for item in found if "id" in item]
    failed = [item for item in found if "error" in item]
    assert [link["key"] for link in made] == ["fresh", "new-domain"]
    assert [(f["link"]["key"], f["code"]) for f in failed] == [
        ("taken", "conflict"),
        ("bad-url", "unprocessable_entity"),
        ("theirs", "forbidden"),
        ("tagged", "unprocessable_entity"),
    ]
    assert sorted(await acme.keys()) == ["fresh", "new-domain", "taken"]
    domains = await fetch(settings, "SELECT domain FROM domains ORDER BY domain")
    assert [row["domain"] for row in domains] == ["go.acme.test", "go.globex.test"]


async def test_bulk_create_limits(acme: LinksApi) -> None:
    assert_unprocessable(await bulk(acme, "POST", json=[{"url": URL}] * 101))
    assert_unprocessable(await bulk(acme, "POST", json=[]))
    twice = [{"url": URL, "key": "same"}, {"url": URL, "key": "SAME"}]
    response = await bulk(acme, "POST", json=twice)
    assert_error(response, 400, "bad_request")
    assert "Duplicate links found" in response.json()["error"]["message"]
    assert await acme.count() == 0


async def test_bulk_update_by_ids_and_external_ids(acme: LinksApi) -> None:
    a = await acme.create(externalId="a")
    b = await acme.create(externalId="b")
    updated = answer(
        await bulk(
            acme, "PATCH",
            json={"linkIds": [a["id"], "link_missing"], "data": {"title": "T", "key": "x"}},
        )
    )  # fmt: skip
    assert [(item.get("id"), item.get("title")) for item in updated[:1]] == [(a["id"], "T")]
    assert updated[0]["key"] == a["key"]  # key is not for bulk updates
    assert updated[1:] == [
        {"link": {"id": "link_missing"}, "error": "Link not found", "code": "not_found"}
    ]
    by_ext = answer(
        await bulk(acme, "PATCH", json={"externalIds": ["ext_b", "zz"], "data": {"archived": True}})
    )
    assert [item.get("archived") for item in by_ext] == [True, None]
    assert by_ext[1]["link"] == {"externalId": "zz"}
    assert (await acme.fetch(b["id"]))["archived"] is True
    assert answer(await bulk(acme, "PATCH", json={"data": {"title": "x"}})) == "No links to update"


async def test_bulk_delete_goes_the_single_delete_way(acme: LinksApi, globex: LinksApi) -> None:
    a = await acme.create()
    await acme.create(externalId="b")
    keep = await acme.create()
    theirs = await globex.create()
    ids = f"{a['id']},ext_b,link_unknown,{theirs['id']}"
    found = answer(await bulk(acme, "DELETE", params={"linkIds": ids}))
    assert found == {"deletedCount": 2}
    assert [link["id"] for link in await acme.list_links()] == [keep["id"]]
    assert len(await globex.list_links()) == 1
    assert_error(await bulk(acme, "DELETE"), 400, "bad_request")


async def test_bulk_operations_send_no_webhook(
    acme: LinksApi, client: httpx.AsyncClient, settings: Settings
) -> None:
    await Hooks(client, acme.tenant).create("https://hooks.example.com/in")
    single = await acme.create()
    assert await events(settings) == ["link.created"]
    made = answer(await bulk(acme, "POST", json=[{"url": URL}, {"url": URL}]))
    ids = [link["id"] for link in made]
    answer(await bulk(acme, "PATCH", json={"linkIds": ids, "data": {"title": "x"}}))
    answer(await bulk(acme, "DELETE", params={"linkIds": ",".join(ids)}))
    assert await events(settings) == ["link.created"]
    await acme.delete(single["id"])
    assert await events(settings) == ["link.created", "link.deleted"]


@pytest.mark.parametrize(
    "field",
    [{"webhookIds": ["wh_1"]}, {"testVariants": [{"url": URL, "percentage": 50}]}],
)  # fmt: skip
async def test_fields_clicktrail_cannot_keep_are_refused(
    acme: LinksApi, field: dict[str, object]
) -> None:
    response = await acme.post(url=URL, **field)
    assert_unprocessable(response)
    assert response.json()["error"]["message"].startswith("Not supported: ")
    link = await acme.create(webhookIds=[], testVariants=None)
    assert_unprocessable(await acme.patch(link["id"], **field))
    assert await acme.count() == 1


async def test_ref_sets_the_destinations_ref_parameter(acme: LinksApi) -> None:
    link = await acme.create(url="https://example.com/?ref=old&a=1", ref="spring")
    assert link["url"] == "https://example.com/?ref=spring&a=1"
    updated = await acme.update(link["id"], ref="summer")
    assert updated["url"] == "https://example.com/?ref=summer&a=1"
