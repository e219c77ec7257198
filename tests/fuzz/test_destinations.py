"""Hostile URLs in every URL field, in `?redir_url=`, and odd Host spellings, against a live
server over real HTTP (issue 11): nothing but a 422 or a safe http(s) Location ever comes back,
and every spelling of a domain finds that domain's links."""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clicktrail import admin
from clicktrail.kit.clock import utcnow
from tests.conftest import BROWSER_UA
from tests.fuzz.budget import Budget
from tests.fuzz.workspace import PLACE
from tests.redirect.helpers import IPHONE_UA
from tests.support import LiveServer

EXAMPLES = int(os.environ.get("CLICKTRAIL_FUZZ_EXAMPLES", "15")) * 4
BUDGET = Budget(8.0 * max(1, EXAMPLES // 60))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
DESTINATION = "https://example.com/landing"
DOMAIN = "fuzz-go.example.com"
ANDROID_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile"
FIELDS = ["url", "expiredUrl", "ios", "android", "geo"]
KEYS = 8  # the business plan's 1,200 requests a minute, per key: these never meet a 429

SCHEMES = [
    "https://", "http://", "HTTPS://", "javascript:", "JavaScript:", "data:text/html,",
    "vbscript:", "file://", "ftp://", "//", "\\\\", "https:", "https:///", " ", "",
]  # fmt: skip
HOSTS = [
    "example.com", "evil.example", "[::1]", "127.0.0.1:8080", "exa mple.com", "example.com:99999",
    "xn--bcher-kva.example", "bücher.example", "user@evil.example", "example.com.", "",
]  # fmt: skip
NASTY = ["\r\n", "\n", "\t", "\x00", "\x01", "\x7f", "\x85", "%0d%0a", "\u2028", "\\", "<script>"]
hostile_urls = st.one_of(
    st.builds(
        lambda scheme, host, tail: scheme + host + tail,
        st.sampled_from(SCHEMES),
        st.sampled_from(HOSTS),
        st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=4)), max_size=3).map("".join),
    ),
    st.text(max_size=40),
)
host_spellings = st.builds(
    lambda www, name, dot, port: f"{www}{name}{dot}{port}",
    st.sampled_from(["", "www.", "WWW."]),
    st.lists(st.booleans(), min_size=len(DOMAIN), max_size=len(DOMAIN)).map(
        lambda upper: "".join(c.upper() if u else c for c, u in zip(DOMAIN, upper, strict=True))
    ),
    st.sampled_from(["", "."]),
    st.sampled_from(["", ":80", ":443"]),
)


class Visitor:
    """A workspace of its own on the fuzz server, its keys taken in turn."""

    def __init__(self, server: LiveServer, keys: list[str]) -> None:
        self.url = server.url
        self._turns = itertools.cycle(keys)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {next(self._turns)}"}

    def post_link(self, body: dict[str, Any]) -> httpx.Response:
        return httpx.post(f"{self.url}/links", json=body, headers=self.auth(), timeout=30)

    def visit(self, path: str, **headers: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", headers={"User-Agent": BROWSER_UA, **headers})


@pytest.fixture(scope="module")
def visitor(fuzz_server: LiveServer) -> Visitor:
    async def keys(ctx: admin.Context) -> list[str]:
        await admin.create_workspace(ctx, "Fuzz URLs", "fuzz-urls", "business")
        return [(await admin.create_key(ctx, "fuzz-urls", f"k{n}"))["key"] for n in range(KEYS)]

    return Visitor(fuzz_server, asyncio.run(admin.run(fuzz_server.settings, keys)))


@pytest.fixture(scope="module")
def domain_link(visitor: Visitor) -> dict[str, Any]:
    body = {"url": DESTINATION, "domain": DOMAIN, "key": "promo", "trackConversion": True}
    response = visitor.post_link(body)
    assert response.status_code == 200, response.text
    shared = visitor.post_link({"url": "https://shared.example/", "key": "promo"})
    assert shared.status_code == 200, shared.text
    link: dict[str, Any] = response.json()
    return link


def budgeted(operation: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Runs the test's example only while `operation` (formatted with its arguments) has time
    left in BUDGET."""

    def wrap(test: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> None:
            with BUDGET.spend(operation.format(**kwargs)) as allowed:
                if allowed:
                    test(*args, **kwargs)

        return run

    return wrap


def assert_safe(url: str) -> None:
    """An http(s) URL with a host and no control character, judged without the app's code."""
    assert not any(unicodedata.category(c) == "Cc" for c in url), repr(url)
    assert url.lower().startswith(("http://", "https://")), repr(url)
    assert urlsplit(url).hostname, repr(url)


def with_value(field: str, value: str) -> dict[str, Any]:
    body: dict[str, Any] = {"url": DESTINATION}
    if field == "geo":
        body["geo"] = {"FR": value}
    elif field == "expiredUrl":
        body |= {"expiredUrl": value, "expiresAt": (utcnow() - timedelta(days=1)).isoformat()}
    else:
        body[field] = value
    return body


def visit_target(visitor: Visitor, link: dict[str, Any], field: str) -> httpx.Response:
    headers = {"ios": {"User-Agent": IPHONE_UA}, "android": {"User-Agent": ANDROID_UA}}
    return visitor.visit(f"/{link['key']}", **headers.get(field, {}), **PLACE)


@pytest.mark.parametrize("field", FIELDS)
@FUZZ
@given(value=hostile_urls)
@budgeted("url field {field}")
def test_a_url_field_takes_only_safe_destinations(visitor: Visitor, field: str, value: str) -> None:
    response = visitor.post_link(with_value(field, value))
    assert response.status_code in {200, 422}, response.text
    if response.status_code == 422:
        assert response.json()["error"]["code"] == "unprocessable_entity"
        return
    link = response.json()
    stored = (link["geo"] or {}).get("FR") if field == "geo" else link[field]
    if stored is None:  # an empty target is no target
        assert value == ""
        return
    assert_safe(stored)
    visit = visit_target(visitor, link, field)
    assert visit.status_code == 302
    assert_safe(visit.headers["location"])
    assert urlsplit(visit.headers["location"]).hostname == urlsplit(stored).hostname


@FUZZ
@given(value=hostile_urls)
@budgeted("redir_url")
def test_redir_url_never_leaves_the_links_host(
    visitor: Visitor, domain_link: dict[str, Any], value: str
) -> None:
    response = httpx.get(
        f"{visitor.url}/promo",
        params={"redir_url": value},
        headers={"Host": DOMAIN, "User-Agent": BROWSER_UA},
    )
    assert response.status_code == 302
    location = response.headers["location"]
    assert_safe(location)
    assert urlsplit(location).hostname in {"example.com", "example.com."}, location


@FUZZ
@given(host=host_spellings)
@budgeted("host spelling")
def test_every_spelling_of_a_domain_finds_its_link(
    visitor: Visitor, domain_link: dict[str, Any], host: str
) -> None:
    response = visitor.visit("/promo", Host=host)
    assert response.status_code == 302
    assert response.headers["location"].startswith(DESTINATION)
    assert response.headers["set-cookie"].startswith(f"dub_id_{DOMAIN}_promo=")


@FUZZ
@given(host=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60))
@budgeted("any host")
def test_any_host_header_gets_an_answer(visitor: Visitor, host: str) -> None:
    response = visitor.visit("/promo", Host=host)
    assert response.status_code in {302, 400, 404}, (host, response.status_code)
