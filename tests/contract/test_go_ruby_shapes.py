"""Dub's Go and Ruby SDKs, which no registry here serves, pinned by the shapes their
generations read: a strict decoder per generation accepts exactly the keys its models have
(read from dub-go and dub-ruby at their tags), and every answer of a live server to that
generation's User-Agent must pass it. The same answers to a client without one must not: it
is the generation edge (clicktrail.api.generations) that makes them pass."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.contract.ledger import EVENT_KINDS, INTERVAL, PACE
from tests.contract.traffic import Traffic, call, visit
from tests.support import LiveServer

GO = "speakeasy-sdk/go {} 2.457.2 0.0.1 github.com/dubinc/dub-go"
RUBY = "speakeasy-sdk/ruby {} 2.365.0 0.0.1 dub"


class Refused(Exception):
    """What the SDK's decoder would raise."""


@dataclass(frozen=True)
class Keys:
    """An object's keys: `required` must all be present, and no key outside `required` and
    `optional` may be (the decoder of dub-go v0.9.15-v0.14.1 refuses unknown fields)."""

    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    nested: dict[str, Keys] = field(default_factory=dict)

    def decode(self, body: Any, where: str = "") -> None:
        if not isinstance(body, dict):
            raise Refused(f"{where}: not an object")
        if unknown := set(body) - self.required - self.optional:
            raise Refused(f"{where}: unknown fields {sorted(unknown)}")
        if missing := self.required - set(body):
            raise Refused(f"{where}: missing {sorted(missing)}")
        for name, keys in self.nested.items():
            if body.get(name) is not None:
                keys.decode(body[name], f"{where}.{name}")


def keys(required: str, optional: str = "", **nested: Keys) -> Keys:
    return Keys(frozenset(required.split()), frozenset(optional.split()), nested)


# dub-go's /events models (models/components/{click,lead,sale}event.go) at three tags
LINK_V0_11 = (
    "id domain key url externalId identifier expiresAt expiredUrl password title description "
    "image video ios android geo tagId tags webhookIds comments shortLink qrCode utm_source "
    "utm_medium utm_campaign utm_term utm_content userId workspaceId clicks lastClicked leads "
    "sales saleAmount createdAt updatedAt projectId"
)
LINK_FLAGS = "trackConversion archived proxy rewrite doIndex publicStats"
CLICK_V0_11 = "id url continent country city device browser os referer refererUrl ip"
FLAT = "click_id link_id domain key url continent country city device browser os qr ip"
SALE = keys("amount invoiceId paymentProcessor")


def go_events(click: Keys, customer: Keys, link: Keys) -> dict[str, Keys]:
    def event(required: str, **more: Keys) -> Keys:
        return keys(f"event click link {FLAT} {required}", "timestamp", click=click, link=link,
                    **more)  # fmt: skip

    return {
        "clicks": event(""),
        "leads": event("eventId eventName customer", customer=customer),
        "sales": event("eventId eventName customer sale saleAmount invoice_id payment_processor",
                       customer=customer, sale=SALE),
    }  # fmt: skip


GO_EVENTS = {
    "0.11.0": go_events(
        keys(CLICK_V0_11, "qr"), keys("id name email avatar"), keys(LINK_V0_11, LINK_FLAGS)
    ),
    "0.12.0": go_events(
        keys(f"{CLICK_V0_11} region", "qr"),
        keys("id externalId name email avatar createdAt"),
        keys(f"{LINK_V0_11} programId", LINK_FLAGS),
    ),
    "0.14.1": go_events(
        keys(f"{CLICK_V0_11} region timestamp", "qr"),
        keys("id externalId name email avatar createdAt", "country link partner discount"),
        keys(
            LINK_V0_11.replace("identifier ", "") + " programId tenantId partnerId folderId",
            LINK_FLAGS,
        ),
    ),
}
# The flat track answers: dub-ruby v0.2.2 (operations/track{lead,sale}_responsebody.rb) and
# dub-go v0.0.2-v0.8.2 (operations/track{lead,sale}.go)
FLAT_LEAD = keys("clickId eventName customerId customerName customerEmail customerAvatar",
                 "metadata")  # fmt: skip
FLAT_SALE = keys("eventName customerId amount currency paymentProcessor invoiceId metadata")
RUBY_LINK_STRINGS = ("expiresAt", "disabledAt", "testStartedAt", "testCompletedAt")  # v0.12.4


def events(traffic: Traffic, kind: str, agent: str | None) -> list[dict[str, Any]]:
    time.sleep(PACE)  # under the plan's analytics rate limit
    headers = traffic.tenant.auth | ({"User-Agent": agent} if agent else {})
    params = {"event": kind, "interval": INTERVAL}
    answer = httpx.get(f"{traffic.server.url}/events", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    assert found, f"the traffic has {kind}"
    return found


@pytest.mark.parametrize("kind", EVENT_KINDS)
@pytest.mark.parametrize("version", GO_EVENTS)
def test_strict_go_generations_decode_every_event(
    traffic: Traffic, version: str, kind: str
) -> None:
    decoder = GO_EVENTS[version][kind]
    decode_all(decoder, events(traffic, kind, GO.format(version)))
    current = events(traffic, kind, None)  # Dub's current shape, as any other client gets it
    with pytest.raises(Refused):
        decode_all(decoder, current)


def decode_all(decoder: Keys, answer: list[dict[str, Any]]) -> None:
    for event in answer:
        decoder.decode(event, event["event"])


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_ruby_0_12_4_gets_a_string_for_each_date_it_requires(traffic: Traffic, kind: str) -> None:
    shown = events(traffic, kind, RUBY.format("0.12.4"))
    current = events(traffic, kind, None)
    for event, today in zip(shown, current, strict=True):
        for name in RUBY_LINK_STRINGS:
            assert isinstance(event["link"][name], str)
            assert event["link"][name] == (today["link"][name] or "")  # none stays none: ""
    assert any(event["link"]["expiresAt"] is None for event in current)


@dataclass(frozen=True)
class Conversion:
    lead: dict[str, Any]
    sale: dict[str, Any]
    click_id: str


def track(server: LiveServer, slug: str, agent: str | None) -> Conversion:
    """A lead and a sale in a workspace of its own, as a client with `agent` tracks them."""
    tenant = server.tenant(slug)
    link = call(server, tenant, "POST", "/links", {"url": "https://x.co", "trackConversion": True})
    click_id = visit(server, link["key"], 1)
    headers = tenant.auth | ({"User-Agent": agent} if agent else {})

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(f"{server.url}{path}", headers=headers, json=body)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    lead = {"clickId": click_id, "eventName": "Sign up", "customerId": "u1",
            "customerEmail": "u1@x.co", "metadata": {"via": "ad"}}  # fmt: skip
    sale = {"customerId": "u1", "amount": 1580, "currency": "jpy", "paymentProcessor": "stripe",
            "invoiceId": "in_1"}  # fmt: skip
    return Conversion(post("/track/lead", lead), post("/track/sale", sale), click_id)


@pytest.mark.parametrize(
    ("slug", "agent"), [("ruby022", RUBY.format("0.2.2")), ("go082", GO.format("0.8.2"))]
)
def test_flat_generations_decode_lead_and_sale_with_their_values(
    module_server: LiveServer, slug: str, agent: str
) -> None:
    flat = track(module_server, slug, agent)
    FLAT_LEAD.decode(flat.lead, "lead")
    FLAT_SALE.decode(flat.sale, "sale")
    assert flat.lead == {
        "clickId": flat.click_id, "eventName": "Sign up", "customerId": "u1",
        "customerName": flat.lead["customerName"], "customerEmail": "u1@x.co",
        "customerAvatar": None, "metadata": {"via": "ad"},
    }  # fmt: skip
    assert flat.sale["currency"] == "usd"
    assert abs(flat.sale["amount"] - 1000) <= 100  # 1580 JPY in US cents
    assert (flat.sale["customerId"], flat.sale["invoiceId"]) == ("u1", "in_1")
    assert flat.sale["metadata"] == {}  # an object, as v0.2.2 requires; none was given
    today = track(module_server, slug + "-today", None)
    with pytest.raises(Refused):
        FLAT_LEAD.decode(today.lead, "lead")
    with pytest.raises(Refused):
        FLAT_SALE.decode(today.sale, "sale")
