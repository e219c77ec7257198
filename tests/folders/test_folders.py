"""`/folders`: created, listed, renamed and removed as Dub's SDKs call them; a link's folderId
must name one of the workspace's folders."""

from __future__ import annotations

from typing import Any

import httpx

from tests.links.helpers import URL, LinksApi, assert_error, assert_unprocessable
from tests.support import Tenant


async def call(
    client: httpx.AsyncClient, tenant: Tenant, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    return await client.request(method, path, headers=tenant.auth, **kwargs)


def answer(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_created_listed_renamed_and_removed(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    made = answer(await call(client, tenant, "POST", "/folders", json={"name": "Spring"}), 201)
    assert made["id"].startswith("fold_")
    assert (made["name"], made["accessLevel"], made["type"], made["description"]) == (
        "Spring", "write", "default", None,
    )  # fmt: skip
    taken = await call(client, tenant, "POST", "/folders", json={"name": "Spring"})
    assert_error(taken, 409, "conflict", "A folder with the name Spring already exists.")
    theirs = await call(client, other_tenant, "POST", "/folders", json={"name": "Spring"})
    assert theirs.status_code == 201  # names are per workspace
    other = answer(await call(client, tenant, "POST", "/folders", json={"name": "Fall"}), 201)
    listed = answer(await call(client, tenant, "GET", "/folders"))
    assert [f["id"] for f in listed] == [other["id"], made["id"]]
    assert [
        f["name"]
        for f in answer(await call(client, tenant, "GET", "/folders", params={"search": "spr"}))
    ] == ["Spring"]
    renamed = answer(
        await call(client, tenant, "PATCH", f"/folders/{made['id']}",
                   json={"name": "Summer", "accessLevel": "read", "description": "hot"})
    )  # fmt: skip
    assert (renamed["name"], renamed["accessLevel"], renamed["description"]) == (
        "Summer",
        "read",
        "hot",
    )
    clash = await call(client, tenant, "PATCH", f"/folders/{made['id']}", json={"name": "Fall"})
    assert_error(clash, 409, "conflict")
    assert_error(
        await call(client, other_tenant, "DELETE", f"/folders/{made['id']}"), 404, "not_found"
    )
    assert answer(await call(client, tenant, "DELETE", f"/folders/{made['id']}")) == {
        "id": made["id"]
    }
    assert [f["id"] for f in answer(await call(client, tenant, "GET", "/folders"))] == [other["id"]]


async def test_a_links_folder_must_be_the_workspaces(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    links = LinksApi(client, tenant)
    mine = await links.folder("mine")
    theirs = await LinksApi(client, other_tenant).folder("theirs")
    assert_unprocessable(await links.post(url=URL, folderId=theirs))
    assert_unprocessable(await links.post(url=URL, folderId="fold_nothing"))
    link = await links.create(folderId=mine)
    assert link["folderId"] == mine
    assert_unprocessable(await links.patch(link["id"], folderId=theirs))
    assert (await links.update(link["id"], folderId=None))["folderId"] is None
    await links.update(link["id"], folderId=mine)
    # a folder with links is not removed under them
    assert_unprocessable(await call(client, tenant, "DELETE", f"/folders/{mine}"))
    assert await links.count() == 1


async def test_a_taken_external_id_beside_a_folder_is_a_conflict(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    links = LinksApi(client, tenant)
    folder = await links.folder("f")
    await links.create(externalId="taken")
    link = await links.create()
    response = await links.patch(link["id"], folderId=folder, externalId="taken")
    assert_error(response, 409, "conflict")
