"""`GET /links` by cursor (to the end, both ways) and Dub's filters; `GET /links/count` with
`groupBy`."""

from __future__ import annotations

import pytest

from clicktrail.kit.ids import machine_user_id
from tests.links.helpers import LinksApi, assert_error, ok


async def test_cursor_pages_reach_the_end_both_ways(acme: LinksApi, globex: LinksApi) -> None:
    made = [(await acme.create(key=f"k{n}"))["id"] for n in range(7)]
    await globex.create(key="theirs")
    newest_first = made[::-1]
    seen: list[str] = []
    cursor: dict[str, str | int] = {"pageSize": 3}
    while batch := await acme.list_links(**cursor):
        seen += [link["id"] for link in batch]
        cursor = {"pageSize": 3, "startingAfter": batch[-1]["id"]}
        assert len(seen) <= len(made), "paging does not end"
    assert seen == newest_first
    back = await acme.list_links(pageSize=3, endingBefore=made[0])
    assert [link["id"] for link in back] == newest_first[3:6]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"startingAfter": "link_x", "endingBefore": "link_y"},
            "You cannot use both startingAfter",
        ),
        ({"page": 2}, "You cannot use both page and startingAfter"),
        ({"sortBy": "clicks"}, "Cursor-based pagination only supports sorting by `createdAt`"),
    ],
)
async def test_cursor_misuse_is_refused(
    acme: LinksApi, params: dict[str, str | int], message: str
) -> None:
    link = await acme.create()
    response = await acme.client.get(
        "/links", params={"startingAfter": link["id"], **params}, headers=acme.tenant.auth
    )
    assert_error(response, 422, "unprocessable_entity")
    assert response.json()["error"]["message"].startswith(message)


async def test_another_workspaces_cursor_is_refused(acme: LinksApi, globex: LinksApi) -> None:
    theirs = await globex.create()
    response = await acme.client.get(
        "/links", params={"startingAfter": theirs["id"]}, headers=acme.tenant.auth
    )
    assert_error(
        response, 422, "unprocessable_entity", "Invalid cursor: the provided ID does not exist."
    )


async def test_folder_and_user_filters(acme: LinksApi) -> None:
    fold_a, fold_b = await acme.folder("a"), await acme.folder("b")
    await acme.create(key="in-a", folderId=fold_a)
    await acme.create(key="in-b", folderId=fold_b)
    await acme.create(key="loose")
    assert await acme.keys(folderId=fold_a) == ["in-a"]
    user = machine_user_id(acme.tenant.workspace_id)
    assert sorted(await acme.keys(userId=user)) == ["in-a", "in-b", "loose"]
    assert await acme.keys(userId="user_someone") == []
    # deprecated, and sent as true by PyPI dub <= 0.16 on every list: ignored
    assert sorted(await acme.keys(withTags=True)) == ["in-a", "in-b", "loose"]
    assert await acme.count(folderId=fold_b) == 1
    assert await acme.count(userId="user_someone") == 0


async def test_count_grouped_as_dub_groups(acme: LinksApi, globex: LinksApi) -> None:
    f1, f2 = await acme.folder("f1"), await acme.folder("f2")
    await acme.create(key="a1", domain="go.acme.test", folderId=f1)
    await acme.create(key="a2", domain="go.acme.test", folderId=f1)
    await acme.create(key="a3", folderId=f2)
    await acme.create(key="a4", domain="go.acme.test", archived=True)
    await globex.create(key="g1")

    async def grouped(**params: str) -> object:
        response = await acme.client.get("/links/count", params=params, headers=acme.tenant.auth)
        return ok(response)

    assert await grouped(groupBy="domain") == [
        {"domain": "go.acme.test", "_count": 2},
        {"domain": "localhost:8000", "_count": 1},
    ]
    assert await grouped(groupBy="domain", domain="elsewhere.test") == await grouped(
        groupBy="domain"
    )  # Dub ignores the filter it groups by
    assert await grouped(groupBy="folderId", showArchived="true") == [
        {"folderId": f1, "_count": 2},
        {"folderId": f2, "_count": 1},
        {"folderId": None, "_count": 1},
    ]
    user = machine_user_id(acme.tenant.workspace_id)
    assert await grouped(groupBy="userId") == [{"userId": user, "_count": 3}]
    assert await grouped(groupBy="tagId") == []  # no link has a tag (tests/tags for some)
    assert_error(
        await acme.client.get("/links/count", params={"groupBy": "x"}, headers=acme.tenant.auth),
        422,
        "unprocessable_entity",
    )
