"""`PATCH /links/{linkId}` and `DELETE /links/{linkId}` (spec §7.4): `linkId` may be
`ext_<externalId>`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from clicktrail.config import Settings
from tests.links.helpers import (
    DUPLICATE_KEY,
    URL,
    Json,
    LinksApi,
    assert_conflict,
    assert_error,
    assert_not_found,
    assert_unprocessable,
    ok,
    set_columns,
)

# Fields that always change on a successful update.
VOLATILE = {"updatedAt"}


def without(link: Json, *names: str) -> Json:
    return {name: value for name, value in link.items() if name not in {*names, *VOLATILE}}


async def full_link(api: LinksApi) -> Json:
    return await api.create(
        url="https://example.com/p?utm_source=news",
        key="full",
        externalId="order-7",
        tenantId="t1",
        title="Title",
        trackConversion=True,
        geo={"FR": "https://example.fr"},
        expiresAt="2030-01-01T00:00:00Z",
    )


async def test_only_the_fields_sent_change(acme: LinksApi) -> None:
    link = await full_link(acme)
    updated = await acme.update(link["id"], title="New title")
    assert updated["title"] == "New title"
    assert without(updated, "title") == without(link, "title")
    assert await acme.fetch(link["id"]) == updated


async def test_update_moves_updated_at(acme: LinksApi, settings: Settings) -> None:
    link = await acme.create(url=URL)
    await set_columns(settings, link["id"], updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    before = datetime.now(UTC) - timedelta(seconds=1)
    updated = await acme.update(link["id"], title="x")
    assert datetime.fromisoformat(updated["updatedAt"]) >= before
    assert updated["createdAt"] == link["createdAt"]


async def test_update_by_external_id(acme: LinksApi) -> None:
    link = await full_link(acme)
    updated = await acme.update("ext_order-7", archived=True, tenantId="t2")
    assert (updated["id"], updated["archived"], updated["tenantId"]) == (link["id"], True, "t2")


async def test_fields_sent_as_null_are_cleared(acme: LinksApi) -> None:
    link = await full_link(acme)
    updated = await acme.update(
        link["id"], title=None, trackConversion=None, geo=None, expiresAt=None, tenantId=None
    )
    cleared = {"title": None, "trackConversion": False, "geo": None, "expiresAt": None}
    assert {name: updated[name] for name in cleared} == cleared
    assert updated["tenantId"] is None


async def test_empty_update_changes_nothing(acme: LinksApi) -> None:
    link = await full_link(acme)
    assert without(await acme.update(link["id"])) == without(link)


async def test_update_destination(acme: LinksApi) -> None:
    link = await full_link(acme)
    updated = await acme.update(link["id"], url="example.org/new?utm_medium=email")
    assert updated["url"] == "https://example.org/new?utm_medium=email"
    assert (updated["utm_medium"], updated["utm_source"]) == ("email", None)


async def test_update_invalid_destination(acme: LinksApi) -> None:
    link = await acme.create(url=URL)
    assert_unprocessable(await acme.patch(link["id"], url="ftp://example.com"))
    assert (await acme.fetch(link["id"]))["url"] == URL


async def test_update_utm_rewrites_the_destination(acme: LinksApi) -> None:
    link = await full_link(acme)
    updated = await acme.update(link["id"], utm_campaign="spring", utm_source=None)
    assert parse_qsl(urlsplit(updated["url"]).query) == [("utm_campaign", "spring")]
    assert (updated["utm_campaign"], updated["utm_source"]) == ("spring", None)


async def test_disable_and_enable(acme: LinksApi) -> None:
    link = await acme.create(url=URL)
    assert (await acme.update(link["id"], disabled=True))["disabledAt"] is not None
    assert (await acme.update(link["id"], disabled=False))["disabledAt"] is None


async def test_change_key(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="old")
    updated = await acme.update(link["id"], key="new")
    assert (updated["key"], updated["shortLink"]) == ("new", "http://localhost:8000/new")
    assert ok(await acme.info(domain="localhost:8000", key="new"))["id"] == link["id"]
    assert_not_found(await acme.info(domain="localhost:8000", key="old"))


async def test_short_link_follows_a_key_change(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="old")
    assert (await acme.client.get("/old")).headers["location"] == URL
    await acme.update(link["id"], key="new")
    assert (await acme.client.get("/new")).headers["location"] == URL
    assert (await acme.client.get("/old")).status_code == 404


async def test_old_key_is_free_after_a_change(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="old")
    await acme.update(link["id"], key="new")
    assert (await acme.create(url=URL, key="old"))["id"] != link["id"]


async def test_change_the_case_of_the_own_key(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="promo")
    assert (await acme.update(link["id"], key="PROMO"))["key"] == "PROMO"


async def test_change_domain(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="promo")
    updated = await acme.update(link["id"], domain="Go.Example.com")
    assert (updated["domain"], updated["key"]) == ("go.example.com", "promo")
    assert updated["shortLink"].endswith("://go.example.com/promo")


async def test_change_key_to_a_taken_one(acme: LinksApi) -> None:
    await acme.create(url=URL, key="taken")
    link = await acme.create(url=URL, key="mine")
    assert_conflict(await acme.patch(link["id"], key="TAKEN"), DUPLICATE_KEY)
    assert (await acme.fetch(link["id"]))["key"] == "mine"


async def test_change_domain_onto_a_taken_short_link(acme: LinksApi) -> None:
    await acme.create(url=URL, key="promo", domain="go.example.com")
    link = await acme.create(url=URL, key="promo")
    assert_conflict(await acme.patch(link["id"], domain="go.example.com"), DUPLICATE_KEY)


async def test_change_key_to_an_api_path(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="mine")
    assert_unprocessable(await acme.patch(link["id"], key="links"))


async def test_rename_to_an_api_word_key(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="fine", domain="go.example.com")
    assert_unprocessable(await acme.patch(link["id"], key="api"))
    assert (await acme.fetch(link["id"]))["key"] == "fine"


async def test_change_external_id_to_a_taken_one(acme: LinksApi) -> None:
    await acme.create(url=URL, externalId="taken")
    link = await acme.create(url=URL, externalId="mine")
    assert_conflict(await acme.patch(link["id"], externalId="ext_taken"))
    assert (await acme.fetch(link["id"]))["externalId"] == "mine"


async def test_change_external_id(acme: LinksApi) -> None:
    link = await acme.create(url=URL, externalId="before")
    assert (await acme.update("ext_before", externalId="ext_after"))["externalId"] == "after"
    assert ok(await acme.info(externalId="after"))["id"] == link["id"]
    assert_not_found(await acme.info(externalId="before"))


async def test_failed_update_changes_nothing(acme: LinksApi) -> None:
    await acme.create(url=URL, externalId="taken")
    link = await acme.create(url=URL, key="mine", title="Before")
    response = await acme.patch(link["id"], title="After", key="moved", externalId="taken")
    assert_conflict(response)
    assert await acme.fetch(link["id"]) == link
    assert_not_found(await acme.info(domain="localhost:8000", key="moved"))


async def test_update_validates_the_body(acme: LinksApi) -> None:
    link = await acme.create(url=URL)
    response = await acme.patch(link["id"], archived="yes")
    assert_error(
        response,
        422,
        "unprocessable_entity",
        "invalid_type: archived: Invalid input: expected boolean, received string",
    )


@pytest.mark.parametrize("link_id", ["link_1M7ZVW5S13KWNZE225NGQDJ72", "ext_nope", "nope"])
async def test_update_unknown_link(acme: LinksApi, link_id: str) -> None:
    await acme.create(url=URL, externalId="order-7")
    assert_not_found(await acme.patch(link_id, title="x"))


async def test_delete(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="promo")
    assert ok(await acme.delete(link["id"])) == {"id": link["id"]}
    assert_not_found(await acme.info(linkId=link["id"]))
    assert_not_found(await acme.delete(link["id"]))
    assert await acme.count() == 0


async def test_deleted_short_link_stops_redirecting(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="promo")
    assert (await acme.client.get("/promo")).status_code == 302
    ok(await acme.delete(link["id"]))
    assert (await acme.client.get("/promo")).status_code == 404


async def test_delete_by_external_id(acme: LinksApi) -> None:
    link = await acme.create(url=URL, externalId="order-7")
    assert ok(await acme.delete("ext_order-7")) == {"id": link["id"]}
    assert_not_found(await acme.info(externalId="order-7"))


async def test_delete_frees_the_key_and_external_id(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="promo", externalId="order-7")
    ok(await acme.delete(link["id"]))
    again = await acme.create(url=URL, key="promo", externalId="order-7")
    assert again["id"] != link["id"]


async def test_delete_leaves_other_links(acme: LinksApi) -> None:
    kept = await acme.create(url=URL)
    ok(await acme.delete((await acme.create(url=URL))["id"]))
    assert await acme.list_links() == [kept]


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_anonymous_writes_are_unauthorised(
    client: httpx.AsyncClient, acme: LinksApi, method: str
) -> None:
    link = await acme.create(url=URL)
    response = await client.request(method, f"/links/{link['id']}", json={"title": "x"})
    assert_error(response, 401, "unauthorized", "Missing Authorization header.")
    assert await acme.fetch(link["id"]) == link
