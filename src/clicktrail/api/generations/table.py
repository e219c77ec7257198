"""Which generation of Dub's SDKs is calling, and what shape of answer it reads.

Every SDK sends `User-Agent: speakeasy-sdk/<language> <version> …` (npm `dub` from Node, not
from a browser, where fetch may not set it). The table below maps (language, versions) to the
differences from Dub's current answers that a generation needs; a client without such a user
agent gets the current answers unchanged. Each row was read from the SDK's own models at its
tags (dubinc/dub-ts, dub-go, dub-ruby, dub-python) or its published package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import pairwise

Version = tuple[int, int, int]
SDK_AGENT = re.compile(r"speakeasy-sdk/(\w+) (\d+)\.(\d+)\.(\d+)")

LINK_DATES = frozenset({"expiresAt", "disabledAt", "testStartedAt", "testCompletedAt"})


@dataclass(frozen=True)
class StrictEvents:
    """The keys a generation that refuses unknown keys knows in each object of /events."""

    click: frozenset[str]
    customer: frozenset[str]
    link: frozenset[str]
    sale: frozenset[str] = frozenset({"amount", "invoiceId", "paymentProcessor"})


@dataclass(frozen=True)
class Shape:
    """How a generation's answers differ from Dub's current ones (the default: not at all)."""

    flat_track: bool = False  # mid-2024 flat /track/lead and /track/sale answers
    unknown_customer_not_found: bool = False  # no nullable sale answer: Dub's 404 of then
    link_strings: frozenset[str] = frozenset()  # /events link fields it requires as strings
    customer_strings: frozenset[str] = frozenset()  # /events customer fields, the same
    strict_events: StrictEvents | None = None  # /events objects with only the keys it knows
    country_codes_only: bool = False  # analytics `country` a closed enum of ISO codes

    @property
    def current(self) -> bool:
        return self == CURRENT


CURRENT = Shape()


@dataclass(frozen=True)
class Row:
    language: str
    low: Version  # first version of the range
    high: Version  # first version after it
    shape: Shape = field(default_factory=Shape)


def _go_strict(version: Version) -> StrictEvents:
    """dub-go v0.9.15-v0.14.1 decode /events refusing unknown keys, into every nested object;
    the keys each tag knows grew as below (from the models at each tag)."""

    def since(keys: dict[str, Version]) -> frozenset[str]:
        return frozenset(key for key, first in keys.items() if version >= first)

    start = (0, 0, 0)
    click = since(dict.fromkeys(GO_CLICK, start) | {"region": (0, 11, 8), "timestamp": (0, 13, 15)})
    customer = (
        since(dict.fromkeys(("id", "externalId", "name", "email", "avatar", "createdAt"), start)
              | {"country": (0, 13, 2)})
        if version >= (0, 11, 1)
        else frozenset({"id", "name", "email", "avatar"})
    )  # fmt: skip
    link = since(dict.fromkeys(GO_LINK, start) | GO_LINK_ADDED)
    if version < (0, 12, 5):
        link |= {"identifier"}
    return StrictEvents(click=click, customer=customer, link=link)


GO_CLICK = ("id", "url", "continent", "country", "city", "device", "browser", "os", "referer",
            "refererUrl", "qr", "ip")  # fmt: skip
GO_LINK = (
    "id", "domain", "key", "url", "trackConversion", "externalId", "archived", "expiresAt",
    "expiredUrl", "password", "proxy", "title", "description", "image", "video", "rewrite",
    "doIndex", "ios", "android", "geo", "publicStats", "tagId", "tags", "webhookIds", "comments",
    "shortLink", "qrCode", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "userId", "workspaceId", "clicks", "lastClicked", "leads", "sales", "saleAmount", "createdAt",
    "updatedAt", "projectId",
)  # fmt: skip
GO_LINK_ADDED = {"programId": (0, 11, 5), "tenantId": (0, 13, 5), "partnerId": (0, 13, 13),
                 "folderId": (0, 14, 1)}  # fmt: skip
# The versions at which a strict Go generation's key sets change (see _go_strict).
GO_STRICT_STEPS: tuple[Version, ...] = (
    (0, 9, 15), (0, 11, 1), (0, 11, 5), (0, 11, 8), (0, 12, 5), (0, 13, 2), (0, 13, 5),
    (0, 13, 13), (0, 13, 15), (0, 14, 1), (0, 14, 2),
)  # fmt: skip

FLAT = Shape(flat_track=True, unknown_customer_not_found=True)
NOT_NULLABLE = Shape(unknown_customer_not_found=True)
EXPIRY = frozenset({"expiresAt"})

ROWS: tuple[Row, ...] = (
    # npm `dub`: flat track answers until 0.36.3 (0.36.4 alone names the amount `saleAmount`);
    # non-nullable sale answers until 0.46.14; /events links with string dates 0.38.0-0.69.x.
    Row("typescript", (0, 29, 6), (0, 36, 4), FLAT),
    Row("typescript", (0, 36, 4), (0, 46, 15), NOT_NULLABLE),
    Row("typescript", (0, 38, 0), (0, 69, 0), Shape(link_strings=EXPIRY)),
    Row("typescript", (0, 69, 0), (0, 70, 0), Shape(link_strings=LINK_DATES)),
    # ... and analytics by country or city with a closed enum of country codes until 0.63.6.
    Row("typescript", (0, 29, 10), (0, 63, 7), Shape(country_codes_only=True)),
    # PyPI `dub`: non-nullable sale answers until 0.17.2; string dates in /events 0.8.0-0.33.x,
    # and a customer's email and avatar until 0.14.0; ISO country codes until 0.26.11.
    Row("python", (0, 7, 3), (0, 17, 3), NOT_NULLABLE),
    Row("python", (0, 8, 0), (0, 33, 0), Shape(link_strings=EXPIRY)),
    Row("python", (0, 33, 0), (0, 34, 0), Shape(link_strings=LINK_DATES)),
    Row("python", (0, 8, 0), (0, 14, 1), Shape(customer_strings=frozenset({"email", "avatar"}))),
    Row("python", (0, 0, 6), (0, 26, 12), Shape(country_codes_only=True)),
    # dub-go: flat track answers until v0.8.2; strict /events decoding v0.9.15-v0.14.1.
    Row("go", (0, 0, 2), (0, 8, 3), FLAT),
    *(
        Row("go", low, high, Shape(strict_events=_go_strict(low)))
        for low, high in pairwise(GO_STRICT_STEPS)
    ),
    # dub-ruby: the seed's v0.2.2 reads flat track answers; v0.12.4 string dates in /events.
    Row("ruby", (0, 2, 2), (0, 2, 3), FLAT),
    Row("ruby", (0, 12, 4), (0, 12, 5), Shape(link_strings=LINK_DATES)),
)


def parse_agent(agent: str | None) -> tuple[str, Version] | None:
    """(language, version) of a Speakeasy-generated SDK's user agent, else None."""
    found = SDK_AGENT.search(agent or "")
    if found is None:
        return None
    language, *numbers = found.groups()
    major, minor, patch = (int(n) for n in numbers)
    return language, (major, minor, patch)


def shape_for(agent: str | None) -> Shape:
    """What the caller with this user agent reads: every matching row's differences."""
    parsed = parse_agent(agent)
    if parsed is None:
        return CURRENT
    language, version = parsed
    shape = CURRENT
    for row in ROWS:
        if row.language == language and row.low <= version < row.high:
            shape = _merge(shape, row.shape)
    return shape


def _merge(shape: Shape, more: Shape) -> Shape:
    return replace(
        shape,
        flat_track=shape.flat_track or more.flat_track,
        unknown_customer_not_found=shape.unknown_customer_not_found
        or more.unknown_customer_not_found,
        link_strings=shape.link_strings | more.link_strings,
        customer_strings=shape.customer_strings | more.customer_strings,
        strict_events=more.strict_events or shape.strict_events,
        country_codes_only=shape.country_codes_only or more.country_codes_only,
    )
