"""`GET /links/info`, `GET /links` and `GET /links/count` (spec §7.4)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from clicktrail.config import Settings
from tests.links.helpers import (
    URL,
    LinksApi,
    Param,
    assert_error,
    assert_not_found,
    ok,
    set_columns,
)

INFO_ARGS = "You must provide a domain and a key or a linkId or an externalId to retrieve a link."


async def create_keys(api: LinksApi, *keys: str) -> list[str]:
    """Links created one after another, oldest first; returns their ids."""
    return [(await api.create(url=f"https://example.com/{key}", key=key))["id"] for key in keys]


# --- GET /links/info ---------------------------------------------------------------------------


async def test_info_by_domain_and_key(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="Promo")
    assert ok(await acme.info(domain="localhost:8000", key="Promo")) == link


async def test_info_key_is_case_insensitive_and_domain_normalised(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="Promo", domain="go.example.com")
    assert ok(await acme.info(domain="WWW.Go.Example.com", key="/pROMO/")) == link


async def test_info_by_link_id(acme: LinksApi) -> None:
    link = await acme.create(url=URL)
    assert ok(await acme.info(linkId=link["id"])) == link


@pytest.mark.parametrize("external_id", ["order-7", "ext_order-7"])
async def test_info_by_external_id(acme: LinksApi, external_id: str) -> None:
    link = await acme.create(url=URL, externalId="order-7")
    assert ok(await acme.info(externalId=external_id)) == link


async def test_info_by_link_id_written_as_external_id(acme: LinksApi) -> None:
    link = await acme.create(url=URL, externalId="order-7")
    assert ok(await acme.info(linkId="ext_order-7")) == link


@pytest.mark.parametrize(
    "params",
    [{}, {"domain": "localhost:8000"}, {"key": "promo"}, {"linkId": ""}, {"externalId": ""}],
)
async def test_info_without_a_way_to_find_the_link(acme: LinksApi, params: dict[str, str]) -> None:
    await acme.create(url=URL, key="promo")
    assert_error(await acme.info(**params), 400, "bad_request", INFO_ARGS)


@pytest.mark.parametrize(
    "params",
    [
        {"domain": "localhost:8000", "key": "nope"},
        {"domain": "go.example.com", "key": "promo"},
        {"linkId": "link_1M7ZVW5S13KWNZE225NGQDJ72"},
        {"externalId": "nope"},
        {"linkId": "ext_nope"},
    ],
)
async def test_info_unknown_link(acme: LinksApi, params: dict[str, str]) -> None:
    await acme.create(url=URL, key="promo", externalId="order-7")
    assert_not_found(await acme.info(**params))


async def test_info_of_a_deleted_link(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="promo")
    ok(await acme.delete(link["id"]))
    assert_not_found(await acme.info(domain="localhost:8000", key="promo"))


# --- GET /links --------------------------------------------------------------------------------


async def test_list_is_newest_first(acme: LinksApi) -> None:
    await create_keys(acme, "one", "two", "three")
    assert await acme.keys() == ["three", "two", "one"]


async def test_list_oldest_first(acme: LinksApi) -> None:
    await create_keys(acme, "one", "two", "three")
    assert await acme.keys(sortBy="createdAt", sortOrder="asc") == ["one", "two", "three"]


async def test_list_by_clicks(acme: LinksApi, settings: Settings) -> None:
    ids = await create_keys(acme, "few", "many", "none")
    await set_columns(settings, ids[0], clicks=2)
    await set_columns(settings, ids[1], clicks=10)
    assert await acme.keys(sortBy="clicks") == ["many", "few", "none"]
    assert await acme.keys(sortBy="clicks", sortOrder="asc") == ["none", "few", "many"]


async def test_list_by_sale_amount(acme: LinksApi, settings: Settings) -> None:
    ids = await create_keys(acme, "big", "small")
    # the larger total has the smaller low part: the parts sort as the totals they make
    await set_columns(settings, ids[0], sale_amount_high=1, sale_amount_low=0)
    await set_columns(settings, ids[1], sale_amount_high=0, sale_amount_low=2**28 - 1)
    assert await acme.keys(sortBy="saleAmount") == ["big", "small"]
    assert (await acme.list_links(sortBy="saleAmount"))[0]["saleAmount"] == 2**28


async def test_list_by_last_clicked_puts_never_clicked_links_last(
    acme: LinksApi, settings: Settings
) -> None:
    ids = await create_keys(acme, "earlier", "later", "never")
    await set_columns(settings, ids[0], last_clicked=datetime(2025, 1, 1, tzinfo=UTC))
    await set_columns(settings, ids[1], last_clicked=datetime(2025, 6, 1, tzinfo=UTC))
    assert await acme.keys(sortBy="lastClicked") == ["later", "earlier", "never"]
    assert await acme.keys(sortBy="lastClicked", sortOrder="asc") == ["never", "earlier", "later"]


async def test_last_clicked_is_shown_in_utc(acme: LinksApi, settings: Settings) -> None:
    link_id = (await create_keys(acme, "clicked"))[0]
    await set_columns(settings, link_id, last_clicked=datetime(2025, 6, 1, 12, tzinfo=UTC))
    assert (await acme.fetch(link_id))["lastClicked"] == "2025-06-01T12:00:00.000Z"


async def test_list_pages(acme: LinksApi) -> None:
    await create_keys(acme, "a1", "a2", "a3", "a4", "a5")
    pages = [await acme.keys(page=page, pageSize=2) for page in (1, 2, 3, 4)]
    assert pages == [["a5", "a4"], ["a3", "a2"], ["a1"], []]


async def test_list_defaults_to_pages_of_100(acme: LinksApi) -> None:
    for _ in range(101):
        await acme.create(url=URL)
    assert len(await acme.list_links()) == 100
    assert len(await acme.list_links(page=2)) == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": 0}, "too_small: page: Too small: expected number to be >=1"),
        ({"pageSize": 0}, "too_small: pageSize: Too small: expected number to be >=1"),
        ({"pageSize": 101}, "too_big: pageSize: Too big: expected number to be <=100"),
    ],
)
async def test_list_page_out_of_range(
    acme: LinksApi, client: httpx.AsyncClient, params: dict[str, int], message: str
) -> None:
    response = await client.get("/links", params=params, headers=acme.tenant.auth)
    assert_error(response, 422, "unprocessable_entity", message)


@pytest.mark.parametrize("params", [{"sortBy": "title"}, {"sortOrder": "up"}])
async def test_list_unknown_sort(
    acme: LinksApi, client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/links", params=params, headers=acme.tenant.auth)
    assert_error(response, 422, "unprocessable_entity")


async def test_search_matches_key_or_destination_in_any_case(acme: LinksApi) -> None:
    await acme.create(url="https://shop.example/Pricing", key="k1")
    await acme.create(url="https://example.com/", key="pricing-page")
    await acme.create(url="https://example.com/about", key="about")
    assert await acme.keys(search="PRICING") == ["pricing-page", "k1"]
    assert await acme.count(search="PRICING") == 2


async def test_search_wildcards_are_literal(acme: LinksApi) -> None:
    await acme.create(url=URL, key="a_b")
    await acme.create(url=URL, key="axb")
    await acme.create(url=URL, key="50%off")
    await acme.create(url=URL, key="x50yo")
    assert await acme.keys(search="a_b") == ["a_b"]
    assert await acme.keys(search="50%o") == ["50%off"]


async def test_filter_by_tenant(acme: LinksApi) -> None:
    await acme.create(url=URL, key="t1-a", tenantId="t1")
    await acme.create(url=URL, key="t2-a", tenantId="t2")
    await acme.create(url=URL, key="t1-b", tenantId="t1")
    assert await acme.keys(tenantId="t1") == ["t1-b", "t1-a"]
    assert await acme.count(tenantId="t1") == 2


async def test_filter_by_domain(acme: LinksApi) -> None:
    await acme.create(url=URL, key="here")
    await acme.create(url=URL, key="there", domain="go.example.com")
    assert await acme.keys(domain="go.example.com") == ["there"]
    assert await acme.keys(domain="www.Go.Example.com") == ["there"]
    assert await acme.count(domain="localhost:8000") == 1


async def test_archived_links_are_hidden_unless_asked_for(acme: LinksApi) -> None:
    await acme.create(url=URL, key="live")
    await acme.create(url=URL, key="old", archived=True)
    assert await acme.keys() == ["live"]
    assert await acme.keys(showArchived=True) == ["old", "live"]
    assert (await acme.count(), await acme.count(showArchived=True)) == (1, 2)


async def test_filters_combine(acme: LinksApi) -> None:
    await acme.create(url="https://a.example/sale", key="s1", tenantId="t1")
    await acme.create(url="https://a.example/sale", key="s2", tenantId="t2")
    await acme.create(url="https://a.example/sale", key="s3", tenantId="t1", archived=True)
    await acme.create(url="https://a.example/other", key="o1", tenantId="t1")
    filters: dict[str, Param] = {"search": "sale", "tenantId": "t1", "showArchived": True}
    assert await acme.keys(**filters) == ["s3", "s1"]
    assert await acme.count(**filters) == 2


async def test_list_shows_full_link_objects(acme: LinksApi) -> None:
    link = await acme.create(url=URL, title="Landing", externalId="order-7")
    assert await acme.list_links() == [link]


async def test_count_of_an_empty_workspace(acme: LinksApi) -> None:
    assert await acme.count() == 0
    assert await acme.list_links() == []


async def test_count_ignores_paging(acme: LinksApi) -> None:
    await create_keys(acme, "a1", "a2", "a3")
    assert await acme.count(page=2, pageSize=1) == 3


@pytest.mark.parametrize("path", ["/links", "/links/count", "/links/info?linkId=link_x"])
async def test_anonymous_reads_are_unauthorised(client: httpx.AsyncClient, path: str) -> None:
    assert_error(await client.get(path), 401, "unauthorized", "Missing Authorization header.")
