"""Dub's current answers, reshaped for an older generation of its SDKs (see table.py). Pure
functions of the JSON: the values are the current answer's, only their arrangement changes."""

from __future__ import annotations

import re
from typing import Any

from clicktrail.api.generations.table import Shape, StrictEvents
from clicktrail.errors import envelope

Json = dict[str, Any]
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
USD = "usd"  # the answers carry every sale in US cents, whatever currency it was paid in
# A field the SDK requires as a string that has no value (the expiry of a link that never
# expires, the email of a customer who gave none): an empty string, which states nothing,
# where a made-up date or address would claim a false fact.
NO_VALUE = ""
EVENT_KEYS = {
    "click": frozenset({"event", "timestamp", "click", "link", "click_id", "link_id", "domain",
                        "key", "url", "continent", "country", "city", "device", "browser", "os",
                        "qr", "ip"}),
}  # fmt: skip
EVENT_KEYS["lead"] = EVENT_KEYS["click"] | {"eventId", "eventName", "customer"}
EVENT_KEYS["sale"] = EVENT_KEYS["lead"] | {"sale", "saleAmount", "invoice_id", "payment_processor"}


def flat_lead(answer: Json, request: Json) -> Json:
    """The mid-2024 answer to /track/lead: the click id, the request's event name and metadata,
    and the customer's external id, name, email and avatar."""
    customer = answer["customer"]
    flat = {
        "clickId": answer["click"]["id"],
        "eventName": request.get("eventName"),
        "customerId": customer["externalId"],
        "customerName": customer["name"],
        "customerEmail": customer["email"],
        "customerAvatar": customer["avatar"],
    }
    if isinstance(request.get("metadata"), dict):
        flat["metadata"] = request["metadata"]
    return flat


def flat_sale(answer: Json) -> Json:
    """The mid-2024 answer to /track/sale; `metadata` an object, as those SDKs require."""
    sale = answer["sale"]
    return {
        "eventName": answer["eventName"],
        "customerId": answer["customer"]["externalId"],
        "amount": sale["amount"],
        "paymentProcessor": sale["paymentProcessor"],
        "invoiceId": sale["invoiceId"],
        "currency": USD,
        "metadata": sale["metadata"] or {},
    }


def unknown_customer(request: Json) -> Json:
    """What Dub answered (404) to a sale for an unknown customer before its answer became
    nullable in 2025-01."""
    external = (
        request.get("customerExternalId") or request.get("externalId") or request.get("customerId")
    )
    return envelope("not_found", f"Customer not found for externalId: {external}")


def is_no_sale(answer: Json) -> bool:
    return answer.get("customer") is None and answer.get("sale") is None


def known_countries(answer: list[Json]) -> list[Json]:
    """Analytics rows by country (or city) without those of an unknown place, which Dub shows
    as country "Unknown": a generation whose model holds only ISO codes cannot read them, and
    leaving the row out says nothing false of the others."""
    return [row for row in answer if COUNTRY_CODE.fullmatch(str(row.get("country")))]


def events(answer: list[Json], shape: Shape) -> list[Json]:
    return [_event(event, shape) for event in answer]


def _event(event: Json, shape: Shape) -> Json:
    if shape.link_strings:
        event = event | {"link": _strings(event["link"], shape.link_strings)}
    if shape.customer_strings and "customer" in event:
        event = event | {"customer": _strings(event["customer"], shape.customer_strings)}
    if shape.strict_events is not None:
        event = _strict(event, shape.strict_events)
    return event


def _strings(body: Json, names: frozenset[str]) -> Json:
    return body | {name: NO_VALUE for name in names if body.get(name) is None}


def _strict(event: Json, keys: StrictEvents) -> Json:
    """Only the keys the generation knows, and each of them (null when Dub has no value)."""
    kept = _only(event, EVENT_KEYS[event["event"]])
    kept["click"] = _only(event["click"], keys.click)
    kept["link"] = _only(event["link"], keys.link)
    if "customer" in event:
        kept["customer"] = _only(event["customer"], keys.customer)
    if "sale" in event:
        kept["sale"] = _only(event["sale"], keys.sale)
    return kept


def _only(body: Json, keys: frozenset[str]) -> Json:
    return {key: body.get(key) for key in sorted(keys)}
