"""One workspace's key never reaches another workspace's links: they answer 404 as if they did not
exist, and stay as they were."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.links.helpers import (
    DUPLICATE_KEY,
    URL,
    Json,
    LinksApi,
    Param,
    assert_conflict,
    assert_not_found,
    ok,
)

# The ways `GET /links/info` finds a link.
LOOKUPS: dict[str, Callable[[Json], dict[str, Param]]] = {
    "linkId": lambda link: {"linkId": link["id"]},
    "linkId-ext": lambda link: {"linkId": f"ext_{link['externalId']}"},
    "domain-key": lambda link: {"domain": link["domain"], "key": link["key"]},
    "externalId": lambda link: {"externalId": link["externalId"]},
    "externalId-ext": lambda link: {"externalId": f"ext_{link['externalId']}"},
}


@pytest.fixture
async def theirs(acme: LinksApi) -> Json:
    """acme's link, which globex tries to reach."""
    return await acme.create(
        url="https://acme.example/secret", key="acme-promo", externalId="order-7", tenantId="t1"
    )


async def assert_untouched(owner: LinksApi, link: Json) -> None:
    assert await owner.fetch(link["id"]) == link
    assert await owner.list_links() == [link]


@pytest.mark.parametrize("how", LOOKUPS)
async def test_info_of_another_workspaces_link(
    acme: LinksApi, globex: LinksApi, theirs: Json, how: str
) -> None:
    params = LOOKUPS[how](theirs)
    assert ok(await acme.info(**params)) == theirs
    assert_not_found(await globex.info(**params))


async def test_list_and_count_show_only_own_links(
    acme: LinksApi, globex: LinksApi, theirs: Json
) -> None:
    mine = await globex.create(url=URL, tenantId="t1")
    assert await globex.list_links(showArchived=True) == [mine]
    assert await globex.count(showArchived=True) == 1
    assert await acme.list_links() == [theirs]


@pytest.mark.parametrize(
    "params",
    [{"search": "acme"}, {"tenantId": "t1"}, {"domain": "localhost:8000"}, {"showArchived": True}],
)
async def test_filters_do_not_reach_other_workspaces(
    acme: LinksApi, globex: LinksApi, theirs: Json, params: dict[str, Param]
) -> None:
    assert await acme.list_links(**params) == [theirs]
    assert await globex.list_links(**params) == []
    assert await globex.count(**params) == 0


@pytest.mark.parametrize("via", ["id", "externalId"])
async def test_update_of_another_workspaces_link(
    acme: LinksApi, globex: LinksApi, theirs: Json, via: str
) -> None:
    link_id = theirs["id"] if via == "id" else f"ext_{theirs['externalId']}"
    assert_not_found(await globex.patch(link_id, url="https://evil.example", key="stolen"))
    await assert_untouched(acme, theirs)


@pytest.mark.parametrize("via", ["id", "externalId"])
async def test_delete_of_another_workspaces_link(
    acme: LinksApi, globex: LinksApi, theirs: Json, via: str
) -> None:
    link_id = theirs["id"] if via == "id" else f"ext_{theirs['externalId']}"
    assert_not_found(await globex.delete(link_id))
    await assert_untouched(acme, theirs)


async def test_external_ids_are_per_workspace(
    acme: LinksApi, globex: LinksApi, theirs: Json
) -> None:
    mine = await globex.create(url=URL, externalId=theirs["externalId"])
    assert ok(await globex.info(externalId="order-7"))["id"] == mine["id"]
    assert ok(await acme.info(externalId="order-7"))["id"] == theirs["id"]


async def test_update_by_a_shared_external_id_changes_only_own_link(
    acme: LinksApi, globex: LinksApi, theirs: Json
) -> None:
    mine = await globex.create(url=URL, externalId="order-7")
    updated = await globex.update("ext_order-7", title="globex's")
    assert (updated["id"], updated["title"]) == (mine["id"], "globex's")
    await assert_untouched(acme, theirs)


async def test_delete_by_a_shared_external_id_deletes_only_own_link(
    acme: LinksApi, globex: LinksApi, theirs: Json
) -> None:
    mine = await globex.create(url=URL, externalId="order-7")
    assert ok(await globex.delete("ext_order-7")) == {"id": mine["id"]}
    await assert_untouched(acme, theirs)


async def test_short_links_are_unique_across_workspaces(
    acme: LinksApi, globex: LinksApi, theirs: Json
) -> None:
    # A short link is one URL on the internet, so it cannot belong to two workspaces.
    assert_conflict(await globex.post(url=URL, key=theirs["key"].upper()), DUPLICATE_KEY)
    mine = await globex.create(url=URL, key="globex-promo")
    assert_conflict(await globex.patch(mine["id"], key=theirs["key"]), DUPLICATE_KEY)
    await assert_untouched(acme, theirs)
