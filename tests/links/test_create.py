"""`POST /links` (spec §7.4): defaults, the fields a link may set, and what is refused."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest

from tests.links.helpers import (
    DUPLICATE_KEY,
    URL,
    Json,
    LinksApi,
    assert_conflict,
    assert_error,
    assert_unprocessable,
)
from tests.support import Tenant

# The link object of spec §7.4, every key always present.
LINK_KEYS = {
    "id", "domain", "key", "url", "trackConversion", "externalId", "tenantId", "programId",
    "partnerId", "archived", "expiresAt", "expiredUrl", "disabledAt", "password", "proxy",
    "title", "description", "image", "video", "rewrite", "doIndex", "ios", "android", "geo",
    "publicStats", "tags", "folderId", "webhookIds", "comments", "shortLink", "qrCode",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "testVariants",
    "testStartedAt", "testCompletedAt", "userId", "workspaceId", "clicks", "leads",
    "conversions", "sales", "saleAmount", "lastClicked", "createdAt", "updatedAt", "tagId",
    "projectId", "identifier",
}  # fmt: skip
UNSET = {
    "externalId", "tenantId", "programId", "partnerId", "expiresAt", "expiredUrl", "disabledAt",
    "password", "title", "description", "image", "video", "ios", "android", "geo", "folderId",
    "comments", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "testVariants", "testStartedAt", "testCompletedAt", "lastClicked", "tagId", "identifier",
}  # fmt: skip
FLAGS = {"trackConversion", "archived", "proxy", "rewrite", "doIndex", "publicStats"}
COUNTERS = {"clicks", "leads", "conversions", "sales", "saleAmount"}


def parse_time(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


async def test_created_link_is_answered_with_200(acme: LinksApi) -> None:
    response = await acme.post(url=URL)
    assert response.status_code == 200


async def test_defaults(acme: LinksApi, tenant: Tenant) -> None:
    link = await acme.create(url=URL)
    assert set(link) == LINK_KEYS
    assert re.fullmatch(r"link_[0-9A-Z]{25}", link["id"])
    assert re.fullmatch(r"[0-9A-Za-z]{7}", link["key"])
    assert link["domain"] == "localhost:8000"
    assert link["url"] == URL
    assert link["shortLink"] == f"http://localhost:8000/{link['key']}"
    assert link["workspaceId"] == tenant.workspace_id
    assert link["projectId"] == tenant.workspace_id.removeprefix("ws_")
    # the owner of the key: the workspace's machine user, never null (README "SDK generations")
    assert link["userId"] == "user_" + tenant.workspace_id.removeprefix("ws_")


async def test_unset_fields_are_null_false_or_zero(acme: LinksApi) -> None:
    link = await acme.create(url=URL)
    assert {name: link[name] for name in UNSET} == dict.fromkeys(UNSET)
    assert {name: link[name] for name in FLAGS} == dict.fromkeys(FLAGS, False)
    assert {name: link[name] for name in COUNTERS} == dict.fromkeys(COUNTERS, 0)
    assert (link["tags"], link["webhookIds"]) == ([], [])


async def test_timestamps_are_now_in_utc(acme: LinksApi) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    link = await acme.create(url=URL)
    created = parse_time(link["createdAt"])
    assert before <= created <= datetime.now(UTC)
    assert parse_time(link["updatedAt"]) >= created


async def test_qr_code_points_at_the_short_link(acme: LinksApi) -> None:
    link = await acme.create(url=URL)
    qr = urlsplit(link["qrCode"])
    assert qr.path == "/qr"
    assert parse_qs(qr.query)["url"] == [link["shortLink"] + "?qr=1"]


async def test_random_keys_differ(acme: LinksApi) -> None:
    keys = {(await acme.create(url=URL))["key"] for _ in range(5)}
    assert len(keys) == 5


async def test_created_link_is_stored(acme: LinksApi) -> None:
    link = await acme.create(url=URL, title="Landing")
    assert await acme.fetch(link["id"]) == link


async def test_explicit_key_and_domain(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="Spring-Sale", domain="Go.Example.com")
    assert (link["domain"], link["key"]) == ("go.example.com", "Spring-Sale")
    assert link["shortLink"].endswith("://go.example.com/Spring-Sale")


async def test_key_may_have_slashes(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="/docs-v2/intro/")
    assert link["key"] == "docs-v2/intro"
    assert link["shortLink"] == "http://localhost:8000/docs-v2/intro"


@pytest.mark.parametrize("key", ["has space", "a?b", "a#b", "a\\b", "a//b", "/"])
async def test_malformed_keys_are_refused(acme: LinksApi, key: str) -> None:
    assert_unprocessable(await acme.post(url=URL, key=key))


async def test_prefix_goes_before_a_random_key(acme: LinksApi) -> None:
    link = await acme.create(url=URL, prefix="/promo/")
    assert re.fullmatch(r"promo/[0-9A-Za-z]{7}", link["key"])


async def test_prefix_goes_before_an_explicit_key(acme: LinksApi) -> None:
    link = await acme.create(url=URL, prefix="promo", key="summer")
    assert link["key"] == "promo/summer"


@pytest.mark.parametrize("length", [3, 12, 40])
async def test_key_length(acme: LinksApi, length: int) -> None:
    link = await acme.create(url=URL, keyLength=length)
    assert re.fullmatch(rf"[0-9A-Za-z]{{{length}}}", link["key"])


async def test_key_length_out_of_range(acme: LinksApi) -> None:
    response = await acme.post(url=URL, keyLength=191)
    assert_error(
        response,
        422,
        "unprocessable_entity",
        "too_big: keyLength: Too big: expected number to be <=190",
    )


@pytest.mark.parametrize(("given", "stored"), [("order-1", "order-1"), ("ext_order-1", "order-1")])
async def test_external_id_drops_a_leading_ext(acme: LinksApi, given: str, stored: str) -> None:
    link = await acme.create(url=URL, externalId=given)
    assert link["externalId"] == stored


async def test_plain_fields_are_stored(acme: LinksApi) -> None:
    fields: Json = {
        "trackConversion": True, "tenantId": "t-1", "programId": "prog_1", "partnerId": "pn_1",
        "archived": True, "password": "secret", "proxy": True, "rewrite": True, "doIndex": True,
        "publicStats": True, "title": "T", "description": "D", "image": "https://i.example/x.png",
        "video": "https://v.example/x.mp4", "ios": "https://apps.apple.com/x",
        "android": "https://play.google.com/x", "geo": {"FR": "https://example.fr"},
        "comments": "note", "folderId": await acme.folder("f1"),
    }  # fmt: skip
    link = await acme.create(url=URL, **fields)
    assert {name: link[name] for name in fields} == fields


async def test_utm_fields_are_written_into_the_destination(acme: LinksApi) -> None:
    link = await acme.create(
        url="https://example.com/p?a=1", utm_source="news", utm_campaign="spring sale"
    )
    assert query_of(link["url"]) == [
        ("a", "1"),
        ("utm_source", "news"),
        ("utm_campaign", "spring sale"),
    ]
    assert (link["utm_source"], link["utm_campaign"], link["utm_medium"]) == (
        "news",
        "spring sale",
        None,
    )


async def test_utm_fields_are_read_from_the_destination(acme: LinksApi) -> None:
    link = await acme.create(url="https://example.com/?utm_medium=email&utm_term=shoes")
    assert (link["utm_medium"], link["utm_term"], link["utm_source"]) == ("email", "shoes", None)


async def test_a_utm_value_too_long_for_its_field_is_refused(acme: LinksApi) -> None:
    """As a utm_source field over 255 characters is; PostgreSQL would otherwise fail the write."""
    response = await acme.post(url=f"https://example.com/?utm_campaign={'c' * 256}")
    message = "too_big: utm_campaign: Too big: expected string to have <=255 characters"
    assert_error(response, 422, "unprocessable_entity", message)
    assert await acme.count() == 0


async def test_utm_field_replaces_the_one_in_the_destination(acme: LinksApi) -> None:
    link = await acme.create(url="https://example.com/?utm_source=old&x=1", utm_source="new")
    assert query_of(link["url"]) == [("utm_source", "new"), ("x", "1")]
    assert link["utm_source"] == "new"


async def test_utm_fields_keep_repeated_query_parameters(acme: LinksApi) -> None:
    link = await acme.create(url="https://example.com/?tag=a&tag=b", utm_source="news")
    assert query_of(link["url"]) == [("tag", "a"), ("tag", "b"), ("utm_source", "news")]


@pytest.mark.parametrize(
    "given", ["2030-01-01T02:00:00+02:00", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00"]
)
async def test_expiry_is_kept_in_utc(acme: LinksApi, given: str) -> None:
    link = await acme.create(url=URL, expiresAt=given, expiredUrl="example.com/gone")
    assert link["expiresAt"] == "2030-01-01T00:00:00.000Z"
    assert link["expiredUrl"] == "https://example.com/gone"
    assert (await acme.fetch(link["id"]))["expiresAt"] == "2030-01-01T00:00:00.000Z"


async def test_invalid_expired_url_is_refused(acme: LinksApi) -> None:
    assert_unprocessable(await acme.post(url=URL, expiredUrl="ftp://example.com/gone"))


async def test_invalid_expiry_date_is_refused(acme: LinksApi) -> None:
    assert_unprocessable(await acme.post(url=URL, expiresAt="next tuesday"))


async def test_disabled_link_has_disabled_at(acme: LinksApi) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    link = await acme.create(url=URL, disabled=True)
    assert before <= parse_time(link["disabledAt"]) <= datetime.now(UTC)


async def test_not_disabled_link_has_no_disabled_at(acme: LinksApi) -> None:
    link = await acme.create(url=URL, disabled=False)
    assert link["disabledAt"] is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("example.com/path?q=1", "https://example.com/path?q=1"),
        ("  http://example.com  ", "http://example.com"),
        ("https://example.com/a b", "https://example.com/a b"),
    ],
)
async def test_destination_gets_https_when_it_has_no_scheme(
    acme: LinksApi, given: str, stored: str
) -> None:
    link = await acme.create(url=given)
    assert link["url"] == stored


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "ftp://example.com/file",
        "https://",
        "not a url",
        "https://exa mple.com/",
        "javascript:alert(1)",
        "https://example.com:port/",
    ],
)
async def test_invalid_destination_is_refused(acme: LinksApi, url: str) -> None:
    response = await acme.post(url=url)
    assert_error(response, 422, "unprocessable_entity", "Invalid destination URL.")


async def test_destination_is_required(acme: LinksApi) -> None:
    response = await acme.post(key="no-url")
    assert_error(
        response,
        422,
        "unprocessable_entity",
        "invalid_type: url: Invalid input: expected string, received undefined",
    )


async def test_unknown_fields_are_ignored(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="extra", somethingElse=1, clicks=99)
    assert (link["key"], link["clicks"]) == ("extra", 0)


@pytest.mark.parametrize("key", ["links", "track/x", "api", "API/v1", "docs", "openapi.json"])
async def test_key_shadowing_an_api_path_is_refused_on_the_shared_host(
    acme: LinksApi, key: str
) -> None:
    assert_unprocessable(await acme.post(url=URL, key=key))
    assert_unprocessable(await acme.post(url=URL, key=key, domain="localhost:8000"))


async def test_prefix_shadowing_an_api_path_is_refused_on_the_shared_host(
    acme: LinksApi,
) -> None:
    assert_unprocessable(await acme.post(url=URL, prefix="links"))
    assert_unprocessable(await acme.post(url=URL, prefix="track", key="abc"))


async def test_root_key_is_refused_on_the_shared_host(acme: LinksApi) -> None:
    assert_unprocessable(await acme.post(url=URL, key="_root"))


async def test_root_key_on_another_domain_is_the_bare_domain(acme: LinksApi) -> None:
    link = await acme.create(url=URL, key="_root", domain="go.example.com")
    assert link["shortLink"].endswith("://go.example.com")


@pytest.mark.parametrize("key", ["links", "track/x", "api"])
async def test_api_paths_are_reserved_on_every_domain(acme: LinksApi, key: str) -> None:
    # API paths answer on every host, so that no link can ever take one over
    assert_unprocessable(await acme.post(url=URL, key=key, domain="go.example.com"))


async def test_a_domain_belongs_to_the_first_workspace_on_it(
    acme: LinksApi, globex: LinksApi
) -> None:
    await acme.create(url=URL, key="a", domain="go.acme.example")
    refused = await globex.post(url=URL, key="b", domain="GO.acme.example")
    assert_error(
        refused, 403, "forbidden", "The domain go.acme.example belongs to another workspace."
    )
    other = await globex.create(url=URL, key="c")
    moved = await globex.patch(other["id"], domain="go.acme.example")
    assert moved.status_code == 403
    assert (await acme.create(url=URL, key="d", domain="go.acme.example"))["key"] == "d"


async def test_the_shared_domain_belongs_to_every_workspace(
    acme: LinksApi, globex: LinksApi
) -> None:
    await acme.create(url=URL, key="mine")
    assert (await globex.create(url=URL, key="theirs"))["domain"] == "localhost:8000"


async def test_duplicate_key_is_a_conflict(acme: LinksApi) -> None:
    await acme.create(url=URL, key="promo")
    assert_conflict(await acme.post(url=URL, key="promo"), DUPLICATE_KEY)


async def test_keys_are_unique_whatever_their_case(acme: LinksApi) -> None:
    await acme.create(url=URL, key="Promo")
    assert_conflict(await acme.post(url=URL, key="pROMO"), DUPLICATE_KEY)
    assert await acme.count() == 1


async def test_concurrent_creates_of_one_key_give_one_link(acme: LinksApi) -> None:
    responses = await asyncio.gather(*(acme.post(url=URL, key="race") for _ in range(5)))
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    assert await acme.count() == 1


async def test_same_key_on_another_domain_is_fine(acme: LinksApi) -> None:
    await acme.create(url=URL, key="promo")
    link = await acme.create(url=URL, key="promo", domain="go.example.com")
    assert link["shortLink"].endswith("://go.example.com/promo")


async def test_www_is_dropped_from_the_domain(acme: LinksApi) -> None:
    await acme.create(url=URL, key="promo", domain="go.example.com")
    assert_conflict(await acme.post(url=URL, key="promo", domain="WWW.go.example.com"))


async def test_duplicate_external_id_is_a_conflict(acme: LinksApi) -> None:
    await acme.create(url=URL, externalId="order-1")
    assert_conflict(await acme.post(url=URL, externalId="ext_order-1"))
    assert await acme.count() == 1


@pytest.mark.parametrize("domain", ["bad domain", "a/b", " "])
async def test_invalid_domain_is_refused(acme: LinksApi, domain: str) -> None:
    assert_unprocessable(await acme.post(url=URL, domain=domain))


async def test_anonymous_request_is_unauthorised(client: httpx.AsyncClient) -> None:
    response = await client.post("/links", json={"url": URL})
    assert_error(response, 401, "unauthorized", "Missing Authorization header.")
