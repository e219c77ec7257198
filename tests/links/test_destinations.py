"""Every URL a visitor may be sent to (`url`, `expiredUrl`, `ios`, `android`, each `geo` value)
is checked as `url` is, on create and on update, and stored exactly as it was checked; domains
are host names (issue 11)."""

from __future__ import annotations

from typing import Any

import pytest

from clicktrail.config import Settings
from clicktrail.links.rules import URL_RULE
from tests.links.helpers import URL, LinksApi, assert_error, assert_unprocessable
from tests.support import fetch

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https:evil.example",
    "\\\\evil.example",
    "https://example.com/gone\r\nSet-Cookie: a=b",
    "https://example.com/\ttab",
    "https://example.com/\x00",
    "https://example.com/\x7f",
    "https://exa\u0085mple.com/",
]
FIELDS = ["url", "expiredUrl", "ios", "android", "geo"]


def body(field: str, value: str) -> dict[str, Any]:
    if field == "geo":
        return {"geo": {"DE": "https://example.de/", "FR": value}}
    return {field: value}


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", FIELDS)
async def test_a_hostile_destination_is_refused_on_create(
    acme: LinksApi, field: str, value: str
) -> None:
    response = await acme.post(**{"url": URL, **body(field, value)})
    assert_unprocessable(response)
    assert await acme.count() == 0


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", FIELDS)
async def test_a_hostile_destination_is_refused_on_update(
    acme: LinksApi, settings: Settings, field: str, value: str
) -> None:
    link = await acme.create(url=URL, key="kept")
    before = await row(settings, link["id"])
    assert_unprocessable(await acme.patch(link["id"], **body(field, value)))
    assert await row(settings, link["id"]) == before


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("url", "Invalid destination URL."),
        ("ios", f"Invalid ios: {URL_RULE}"),
        ("geo", f"Invalid geo.FR: {URL_RULE}"),
    ],
)
async def test_the_message_names_the_field(acme: LinksApi, field: str, message: str) -> None:
    response = await acme.post(**{"url": URL, **body(field, "javascript:alert(1)")})
    assert_error(response, 422, "unprocessable_entity", message)


async def test_targets_are_stored_as_checked(acme: LinksApi, settings: Settings) -> None:
    link = await acme.create(
        url=URL,
        ios="  apps.apple.com/app/id1 ",
        android="https://play.google.com/store?id=x\n",
        expiredUrl="example.com/gone",
        geo={"DE": " https://example.de/ ", "FR": ""},
    )
    expected = {
        "ios": "https://apps.apple.com/app/id1",
        "android": "https://play.google.com/store?id=x",
        "expiredUrl": "https://example.com/gone",
        "geo": {"DE": "https://example.de/"},
    }
    assert {name: link[name] for name in expected} == expected
    stored = await row(settings, link["id"])
    assert (stored["ios"], stored["android"], stored["expired_url"]) == (
        expected["ios"],
        expected["android"],
        expected["expiredUrl"],
    )


async def test_an_empty_target_unsets_it(acme: LinksApi) -> None:
    link = await acme.create(url=URL, ios="https://apps.apple.com/x", geo={"DE": "https://e.de"})
    updated = await acme.update(link["id"], ios="", geo={})
    assert (updated["ios"], updated["geo"]) == (None, None)


@pytest.mark.parametrize(
    "domain",
    [
        "a\r\nb.example",
        "x.example;Domain=.example.com",
        "x.example; Path=/",
        "go..example.com",
        "-go.example.com",
        "go_1.example.com",
        "go.example.com:99999",
        "go.example.com:0",
        "go.example.com:port",
        "go.example.com/x",
        "user@go.example.com",
        "[::1",
        "a" * 64 + ".example",
    ],
)
async def test_a_domain_that_is_no_host_name_is_refused(acme: LinksApi, domain: str) -> None:
    assert_unprocessable(await acme.post(url=URL, domain=domain))
    link = await acme.create(url=URL, key="elsewhere")
    assert_unprocessable(await acme.patch(link["id"], domain=domain))
    assert (await acme.fetch(link["id"]))["domain"] == "localhost:8000"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Go.Example.COM.", "go.example.com"),
        ("go.example.com:443", "go.example.com"),
        ("go.example.com:80", "go.example.com"),
        ("go.example.com:8080", "go.example.com:8080"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("127.0.0.1:9000", "127.0.0.1:9000"),
        ("[::1]:9000", "[::1]:9000"),
    ],
)
async def test_a_domain_is_stored_in_its_one_spelling(
    acme: LinksApi, given: str, stored: str
) -> None:
    link = await acme.create(url=URL, domain=given, key="k")
    assert link["domain"] == stored


async def test_spellings_of_one_domain_share_its_keys(acme: LinksApi) -> None:
    await acme.create(url=URL, domain="go.example.com", key="promo")
    response = await acme.post(url=URL, domain="GO.example.com.:443", key="promo")
    assert_error(response, 409, "conflict")
    info = await acme.info(domain="go.example.com.", key="promo")
    assert info.status_code == 200


async def row(settings: Settings, link_id: str) -> dict[str, Any]:
    [found] = await fetch(settings, "SELECT * FROM links WHERE id = :id", id=link_id)
    return found
