"""`/tags` as Dub has them, and a link's tags: named by id or by name on every write route,
shown on the link, filtered and grouped by, and taken off when the tag goes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clicktrail.config import Settings
from tests.links.helpers import URL, LinksApi, assert_error
from tests.support import Tenant, fetch

COLORS = {"red", "yellow", "green", "blue", "purple", "brown", "gray"}
BAD_COLOR = "Invalid color. Must be one of: red, yellow, green, blue, purple, brown, gray, pink"


async def call(
    client: httpx.AsyncClient, tenant: Tenant, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    return await client.request(method, path, headers=tenant.auth, **kwargs)


def answer(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def make(client: httpx.AsyncClient, tenant: Tenant, name: str, **body: str) -> Any:
    return answer(await call(client, tenant, "POST", "/tags", json={"name": name, **body}), 201)


async def names(client: httpx.AsyncClient, tenant: Tenant, **params: Any) -> list[str]:
    found = answer(await call(client, tenant, "GET", "/tags", params=params))
    return [tag["name"] for tag in found]


async def test_created_listed_renamed_and_removed(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    spring = await make(client, tenant, "  Spring  ", color="green")
    assert spring["id"].startswith("tag_")
    assert spring == {"id": spring["id"], "name": "Spring", "color": "green"}
    random = await make(client, tenant, "Autumn")
    assert set(random) == {"id", "name", "color"}
    assert random["color"] in COLORS
    old = answer(await call(client, tenant, "POST", "/tags", json={"tag": "Winter"}), 201)
    assert old["name"] == "Winter"  # the deprecated `tag`
    taken = await call(client, tenant, "POST", "/tags", json={"name": "Spring"})
    assert_error(taken, 409, "conflict", "A tag with that name already exists.")
    assert (await make(client, other_tenant, "Spring"))["id"] != spring["id"]  # per workspace
    assert await names(client, tenant) == ["Autumn", "Spring", "Winter"]
    assert await names(client, tenant, sortOrder="desc") == ["Winter", "Spring", "Autumn"]
    assert await names(client, tenant, sortBy="createdAt") == ["Spring", "Autumn", "Winter"]
    assert await names(client, tenant, search="IN") == ["Spring", "Winter"]
    assert await names(client, tenant, ids=f"{spring['id']},{old['id']}") == ["Spring", "Winter"]
    listed = answer(
        await call(
            client, tenant, "GET", "/tags", params=[("ids", spring["id"]), ("ids", old["id"])]
        )
    )
    assert [tag["id"] for tag in listed] == [spring["id"], old["id"]]
    assert await names(client, tenant, page=2, pageSize=2) == ["Winter"]
    renamed = answer(
        await call(client, tenant, "PATCH", f"/tags/{spring['id']}",
                   json={"name": "Summer", "color": "pink"})
    )  # fmt: skip
    assert renamed == {"id": spring["id"], "name": "Summer", "color": "pink"}
    recolored = answer(
        await call(client, tenant, "PATCH", f"/tags/{spring['id']}", json={"color": "red"})
    )
    assert (recolored["name"], recolored["color"]) == ("Summer", "red")
    clash = await call(client, tenant, "PATCH", f"/tags/{spring['id']}", json={"name": "Autumn"})
    assert_error(clash, 409, "conflict", "A tag with that name already exists.")
    assert_error(
        await call(client, other_tenant, "DELETE", f"/tags/{spring['id']}"),
        404, "not_found", "Tag not found.",
    )  # fmt: skip
    assert_error(
        await call(client, other_tenant, "PATCH", f"/tags/{spring['id']}", json={"name": "x"}),
        404, "not_found", "Tag not found.",
    )  # fmt: skip
    deleted = answer(await call(client, tenant, "DELETE", f"/tags/{spring['id']}"))
    assert deleted == {"id": spring["id"]}
    assert await names(client, tenant) == ["Autumn", "Winter"]
    assert await names(client, other_tenant) == ["Spring"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "x", "color": "orange"}, BAD_COLOR),
        ({"color": "red"}, "Name is required."),
        ({"name": "   "}, None),
        ({"name": "x" * 191}, None),
    ],
)
async def test_bad_tags_are_refused(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, str], message: str | None
) -> None:
    response = await call(client, tenant, "POST", "/tags", json=body)
    assert_error(response, 422, "unprocessable_entity")
    if message is not None:
        assert message in response.json()["error"]["message"]
    assert await names(client, tenant) == []


async def test_list_parameters_are_checked(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for params in ({"pageSize": 101}, {"page": 0}, {"sortBy": "color"}, {"sortOrder": "up"}):
        response = await call(client, tenant, "GET", "/tags", params=params)
        assert_error(response, 422, "unprocessable_entity")


async def test_a_link_takes_its_tags_by_id_or_by_name(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    links = LinksApi(client, tenant)
    a = await make(client, tenant, "alpha", color="red")
    b = await make(client, tenant, "Beta", color="blue")
    theirs = await make(client, other_tenant, "gamma")
    by_ids = await links.create(key="by-ids", tagIds=[b["id"], a["id"], b["id"]])
    assert by_ids["tags"] == [b, a]  # in the order given, each once
    assert by_ids["tagId"] is None
    by_names = await links.create(key="by-names", tagNames=["ALPHA", "beta"])
    assert by_names["tags"] == [a, b]  # names are case-insensitive, as on Dub
    assert (await links.create(key="one-name", tagNames="Beta"))["tags"] == [b]
    assert (await links.create(key="comma", tagIds=f"{a['id']},{b['id']}"))["tags"] == [a, b]
    assert (await links.create(key="old", tagId=a["id"]))["tags"] == [a]
    ids_win = await links.create(key="ids-win", tagIds=[a["id"]], tagNames=["Beta"])
    assert ids_win["tags"] == [a]
    assert (await links.fetch(by_ids["id"]))["tags"] == [b, a]

    unknown = await links.post(url=URL, key="bad", tagIds=[a["id"], theirs["id"], "tag_x"])
    assert_error(
        unknown, 422, "unprocessable_entity", f"Invalid tagIds detected: {theirs['id']}, tag_x"
    )
    by_name = await links.post(url=URL, key="bad", tagNames=["alpha", "gamma"])
    assert_error(by_name, 422, "unprocessable_entity", "Invalid tagNames detected: gamma")
    assert_error(await links.info(key="bad", domain="localhost:8000"), 404, "not_found")


async def test_an_update_replaces_the_tags_it_names(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    links = LinksApi(client, tenant)
    a, b = await make(client, tenant, "a"), await make(client, tenant, "b")
    link = await links.create(tagIds=[a["id"]])
    assert (await links.update(link["id"], title="kept"))["tags"] == [a]
    assert (await links.update(link["id"], tagNames=["b"]))["tags"] == [b]
    assert (await links.update(link["id"], tagIds=[a["id"], b["id"]]))["tags"] == [a, b]
    refused = await links.patch(link["id"], tagIds=["tag_nope"])
    assert_error(refused, 422, "unprocessable_entity", "Invalid tagIds detected: tag_nope")
    assert (await links.fetch(link["id"]))["tags"] == [a, b]  # the refused update left them
    assert (await links.update(link["id"], tagId=None))["tags"] == []
    assert (await links.update(link["id"], tagIds=[b["id"]]))["tags"] == [b]
    assert (await links.update(link["id"], tagIds=[]))["tags"] == []


async def test_upsert_and_bulk_routes_take_tags(client: httpx.AsyncClient, tenant: Tenant) -> None:
    a, b = await make(client, tenant, "a"), await make(client, tenant, "b")
    upserted = answer(
        await call(client, tenant, "PUT", "/links/upsert", json={"url": URL, "tagNames": ["a"]})
    )
    assert upserted["tags"] == [a]
    again = answer(
        await call(client, tenant, "PUT", "/links/upsert", json={"url": URL, "tagIds": [b["id"]]})
    )
    assert (again["id"], again["tags"]) == (upserted["id"], [b])
    items = [
        {"url": URL, "key": "k1", "tagIds": [a["id"]]},
        {"url": URL, "key": "k2", "tagNames": ["nope"]},
    ]
    made = answer(await call(client, tenant, "POST", "/links/bulk", json=items))
    assert made[0]["tags"] == [a]
    assert (made[1]["error"], made[1]["code"]) == (
        "Invalid tagNames detected: nope", "unprocessable_entity",
    )  # fmt: skip
    body = {"linkIds": [made[0]["id"], upserted["id"]], "data": {"tagIds": [a["id"], b["id"]]}}
    updated = answer(await call(client, tenant, "PATCH", "/links/bulk", json=body))
    assert [link["tags"] for link in updated] == [[a, b], [a, b]]
    bad = {"linkIds": [made[0]["id"]], "data": {"tagIds": ["tag_nope"]}}
    refused = answer(await call(client, tenant, "PATCH", "/links/bulk", json=bad))
    assert refused[0]["error"] == "Invalid tagIds detected: tag_nope"


async def test_links_filtered_counted_and_grouped_by_tag(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    links = LinksApi(client, tenant)
    a, b = await make(client, tenant, "Spring"), await make(client, tenant, "Fall")
    await links.create(key="both", tagIds=[a["id"], b["id"]])
    await links.create(key="spring", tagIds=[a["id"]])
    await links.create(key="fall", tagIds=[b["id"]])
    await links.create(key="none")
    await links.create(key="gone", tagIds=[a["id"]], archived=True)
    await LinksApi(client, other_tenant).create(key="theirs")
    assert sorted(await links.keys(tagIds=a["id"])) == ["both", "spring"]
    assert sorted(await links.keys(tagIds=f"{a['id']},{b['id']}")) == ["both", "fall", "spring"]
    assert sorted(await links.keys(tagId=b["id"])) == ["both", "fall"]
    assert sorted(await links.keys(tagNames="spring")) == ["both", "spring"]
    assert sorted(await links.keys(tagNames="Spring", showArchived=True)) == [
        "both", "gone", "spring",
    ]  # fmt: skip
    assert await links.keys(tagIds="tag_unknown") == []
    assert await links.count(tagIds=a["id"]) == 2
    assert await links.count(tagNames="fall") == 2
    grouped = answer(
        await call(client, tenant, "GET", "/links/count",
                   params={"groupBy": "tagId", "tagIds": b["id"]})
    )  # fmt: skip
    assert grouped == [{"tagId": a["id"], "_count": 2}, {"tagId": b["id"], "_count": 2}]
    their_groups = answer(
        await call(client, other_tenant, "GET", "/links/count", params={"groupBy": "tagId"})
    )
    assert their_groups == []


async def test_deleting_a_tag_takes_it_off_its_links(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    links = LinksApi(client, tenant)
    a, b = await make(client, tenant, "a"), await make(client, tenant, "b")
    link = await links.create(tagIds=[a["id"], b["id"]])
    answer(await call(client, tenant, "DELETE", f"/tags/{a['id']}"))
    assert (await links.fetch(link["id"]))["tags"] == [b]
    assert await links.keys(tagIds=a["id"]) == []
    renamed = answer(await call(client, tenant, "PATCH", f"/tags/{b['id']}", json={"name": "c"}))
    assert (await links.fetch(link["id"]))["tags"] == [renamed]
    await links.delete(link["id"])
    assert await fetch(settings, "SELECT link_id FROM link_tags") == []
