"""The SDK-generation edge on its own: the compatibility table read from user agents, and the
middleware around a small app that answers in Dub's current shapes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from clicktrail.api.generations.middleware import GenerationShapes
from clicktrail.api.generations.table import LINK_DATES, parse_agent, shape_for

NPM = "speakeasy-sdk/typescript {} 2.365.0 0.0.1 dub"
GO = "speakeasy-sdk/go {} 2.457.2 0.0.1 github.com/dubinc/dub-go"
RUBY = "speakeasy-sdk/ruby {} 2.365.0 0.0.1 dub"
PYTHON = "speakeasy-sdk/python {} 2.457.2 0.0.1 dub"
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"

LEAD = {
    "click": {"id": "rLnWe1uz9t282v7g"},
    "link": {"id": "link_1", "domain": "d.to", "key": "k", "shortLink": "https://d.to/k",
             "url": "https://x.co", "partnerId": None, "programId": None, "tenantId": None,
             "externalId": None},
    "customer": {"id": "cus_1", "name": "Ada", "email": "ada@x.co", "avatar": None,
                 "externalId": "user_1"},
}  # fmt: skip
SALE = {
    "eventName": "Purchase",
    "customer": LEAD["customer"],
    "sale": {"amount": 1004, "currency": "usd", "paymentProcessor": "stripe",
             "invoiceId": "in_1", "metadata": None},
}  # fmt: skip
NO_SALE = {"eventName": "Purchase", "customer": None, "sale": None}
LINK = {"id": "link_1", "domain": "d.to", "key": "k", "url": "https://x.co", "expiresAt": None,
        "disabledAt": None, "testStartedAt": None, "testCompletedAt": None, "tenantId": None,
        "folderId": None, "conversions": 0, "userId": "user_1"}  # fmt: skip
CLICK = {"id": "c1", "timestamp": "2026-01-01T00:00:00.000Z", "url": "https://x.co",
         "country": "US", "city": "SF", "region": "US-CA", "continent": "NA", "device": "Desktop",
         "browser": "Safari", "os": "Mac OS", "ua": "UA", "trigger": "link", "referer": "(direct)",
         "refererUrl": "(direct)", "qr": False, "ip": "203.0.113.0"}  # fmt: skip
LEAD_EVENT = {
    "event": "lead", "timestamp": "2026-01-01T00:00:00.000Z", "eventId": "e1",
    "eventName": "Sign up", "click": CLICK, "link": LINK,
    "customer": {"id": "cus_1", "externalId": "user_1", "name": "Ada", "email": None,
                 "avatar": None, "country": "US", "createdAt": "2026-01-01T00:00:00.000Z"},
    "click_id": "c1", "link_id": "link_1", "domain": "d.to", "key": "k", "url": "https://x.co",
    "continent": "NA", "country": "US", "city": "SF", "device": "Desktop", "browser": "Safari",
    "os": "Mac OS", "qr": 0, "ip": "203.0.113.0", "metadata": {"plan": "pro"},
}  # fmt: skip
COUNTRIES = [{"country": "US", "region": "*", "city": "*", "clicks": 2},
             {"country": "Unknown", "region": "*", "city": "*", "clicks": 1}]  # fmt: skip
NOT_FOUND = {"error": {"code": "not_found", "message": "Click event not found"}}
ANSWERS: dict[tuple[str, str], Any] = {
    ("POST", "/track/lead"): LEAD,
    ("GET", "/events"): [LEAD_EVENT],
    ("GET", "/analytics"): COUNTRIES,
}


async def dub_today(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers as Dub does today; a sale for `nobody` records nothing; a lead of an unknown
    click is a 404."""
    request = Request(scope, receive)
    body = await request.json() if request.method == "POST" else {}
    if body.get("clickId") == "unknown":
        response: Response = JSONResponse(NOT_FOUND, status_code=404)
    elif request.url.path == "/track/sale":
        response = JSONResponse(NO_SALE if body.get("customerId") == "nobody" else SALE)
    else:
        await request.body()
        response = JSONResponse(ANSWERS[request.method, request.url.path])
    await response(scope, receive, send)


async def ask(
    agent: str | None, method: str, path: str, body: object = None, app: Any = None
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app or GenerationShapes(dub_today))
    headers = {"User-Agent": agent} if agent is not None else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        return await c.request(method, path, json=body)


@pytest.mark.parametrize(
    ("agent", "parsed"),
    [
        ("speakeasy-sdk/typescript 0.73.5 2.698.4 0.0.1 dub", ("typescript", (0, 73, 5))),
        (GO.format("0.11.0"), ("go", (0, 11, 0))),
        (RUBY.format("0.2.2"), ("ruby", (0, 2, 2))),
        (PYTHON.format("0.39.0"), ("python", (0, 39, 0))),
        (BROWSER, None),
        ("curl/8.5.0", None),
        (None, None),
    ],
)
def test_user_agents_name_a_generation(agent: str | None, parsed: object) -> None:
    assert parse_agent(agent) == parsed


def test_the_table_knows_what_each_generation_reads() -> None:
    assert shape_for(NPM.format("0.33.1")).flat_track
    assert shape_for(NPM.format("0.33.1")).unknown_customer_not_found
    assert shape_for(NPM.format("0.46.7")).link_strings == {"expiresAt"}
    assert not shape_for(NPM.format("0.46.7")).flat_track
    assert not shape_for(NPM.format("0.46.15")).unknown_customer_not_found
    assert shape_for(NPM.format("0.69.0")).link_strings == LINK_DATES
    assert shape_for(RUBY.format("0.2.2")).flat_track
    assert shape_for(RUBY.format("0.12.4")).link_strings == LINK_DATES
    assert shape_for(GO.format("0.8.2")).flat_track
    assert shape_for(PYTHON.format("0.14.0")).customer_strings == {"email", "avatar"}
    for current in (NPM.format("0.73.5"), GO.format("0.14.2"), PYTHON.format("0.39.0"),
                    RUBY.format("0.12.5"), BROWSER, None):  # fmt: skip
        assert shape_for(current).current, current


def test_strict_go_key_sets_grow_with_the_version() -> None:
    first, last = shape_for(GO.format("0.11.0")), shape_for(GO.format("0.14.1"))
    assert first.strict_events is not None
    assert last.strict_events is not None
    assert first.strict_events.customer == {"id", "name", "email", "avatar"}
    assert {"region", "timestamp"} - first.strict_events.click == {"region", "timestamp"}
    assert {"region", "timestamp"} <= last.strict_events.click
    assert "identifier" in first.strict_events.link
    assert "identifier" not in last.strict_events.link
    assert {"programId", "tenantId", "partnerId", "folderId"} <= last.strict_events.link
    assert shape_for(GO.format("0.14.2")).strict_events is None


@pytest.mark.parametrize("agent", [None, BROWSER, "curl/8.5.0", NPM.format("0.73.5")])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", "/track/lead", {"clickId": "c", "eventName": "Sign up"}),
     ("POST", "/track/sale", {"customerId": "nobody", "amount": 1}),
     ("POST", "/track/sale", {"customerId": "user_1", "amount": 1}),
     ("GET", "/events", None), ("GET", "/analytics?groupBy=countries", None)],
)  # fmt: skip
async def test_other_clients_get_todays_bytes(
    agent: str | None, method: str, path: str, body: object
) -> None:
    shaped = await ask(agent, method, path, body)
    bare = await ask(agent, method, path, body, app=dub_today)
    assert (shaped.status_code, shaped.headers.raw, shaped.content) == (
        bare.status_code, bare.headers.raw, bare.content,
    )  # fmt: skip


async def test_flat_generations_read_flat_track_answers() -> None:
    request = {"clickId": "rLnWe1uz9t282v7g", "eventName": "Sign up", "customerId": "user_1",
               "metadata": {"via": "ad"}}  # fmt: skip
    lead = await ask(NPM.format("0.33.1"), "POST", "/track/lead", request)
    assert lead.json() == {
        "clickId": "rLnWe1uz9t282v7g", "eventName": "Sign up", "customerId": "user_1",
        "customerName": "Ada", "customerEmail": "ada@x.co", "customerAvatar": None,
        "metadata": {"via": "ad"},
    }  # fmt: skip
    assert lead.headers["content-length"] == str(len(lead.content))
    sale = await ask(RUBY.format("0.2.2"), "POST", "/track/sale", {"customerId": "user_1"})
    assert sale.json() == {
        "eventName": "Purchase", "customerId": "user_1", "amount": 1004,
        "paymentProcessor": "stripe", "invoiceId": "in_1", "currency": "usd", "metadata": {},
    }  # fmt: skip


async def test_a_sale_nobody_can_be_credited_with_is_dubs_404_of_then() -> None:
    answer = await ask(NPM.format("0.46.7"), "POST", "/track/sale", {"customerId": "nobody"})
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "Customer not found for externalId: nobody"
    current = await ask(NPM.format("0.46.15"), "POST", "/track/sale", {"customerId": "nobody"})
    assert (current.status_code, current.json()) == (200, NO_SALE)


async def test_required_strings_without_a_value_are_empty() -> None:
    [event] = (await ask(NPM.format("0.69.0"), "GET", "/events")).json()
    assert {name: event["link"][name] for name in LINK_DATES} == dict.fromkeys(LINK_DATES, "")
    [event] = (await ask(PYTHON.format("0.14.0"), "GET", "/events")).json()
    assert (event["customer"]["email"], event["customer"]["avatar"]) == ("", "")
    assert event["customer"]["name"] == "Ada"


async def test_strict_go_generations_get_only_the_keys_they_know() -> None:
    [event] = (await ask(GO.format("0.11.0"), "GET", "/events")).json()
    assert "metadata" not in event
    assert set(event["customer"]) == {"id", "name", "email", "avatar"}
    assert {"ua", "trigger", "region", "timestamp"}.isdisjoint(event["click"])
    assert event["link"]["identifier"] is None
    assert {"tenantId", "folderId", "conversions", "disabledAt"}.isdisjoint(event["link"])


async def test_iso_code_generations_get_rows_of_known_places() -> None:
    rows = (await ask(NPM.format("0.46.7"), "GET", "/analytics?groupBy=countries")).json()
    assert rows == COUNTRIES[:1]
    other = (await ask(NPM.format("0.46.7"), "GET", "/analytics?groupBy=devices")).json()
    assert other == COUNTRIES  # only countries and cities have a `country` to check


async def test_failures_pass_untouched() -> None:
    lead = {"clickId": "unknown", "eventName": "Sign up", "customerId": "user_1"}
    answer = await ask(NPM.format("0.33.1"), "POST", "/track/lead", lead)
    assert (answer.status_code, json.loads(answer.content)) == (404, NOT_FOUND)
