"""Events as /events shows them: nested objects, plus the flat fields older SDKs still read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from clicktrail.config import Settings
from clicktrail.kit.clock import iso
from clicktrail.links.present import present as present_link
from clicktrail.models import Click, Customer, Lead, Link, Sale

DELETED_CUSTOMER = {"name": "Deleted Customer", "email": "deleted@customer.com"}
EPOCH = "1970-01-01T00:00:00.000Z"


def present_click(click: Click, link: Link, settings: Settings) -> dict[str, Any]:
    return {"event": "click", "timestamp": iso(click.timestamp), **_context(click, link, settings)}


def present_lead(
    lead: Lead, click: Click, link: Link, customer: Customer | None, settings: Settings
) -> dict[str, Any]:
    shown = {
        "event": "lead",
        "timestamp": iso(lead.timestamp),
        "eventId": lead.id,
        "eventName": lead.event_name,
        **_context(click, link, settings),
        "customer": _customer(customer, lead.customer_id),
    }
    if lead.metadata_json:
        shown["metadata"] = lead.metadata_json
    return shown


def present_sale(
    sale: Sale, click: Click, link: Link, customer: Customer | None, settings: Settings
) -> dict[str, Any]:
    shown = {
        "event": "sale",
        "timestamp": iso(sale.timestamp),
        "eventId": sale.id,
        "eventName": sale.event_name,
        **_context(click, link, settings),
        "customer": _customer(customer, sale.customer_id),
        "sale": {
            "amount": sale.amount,
            "currency": sale.currency,
            "invoiceId": sale.invoice_id,
            "paymentProcessor": sale.payment_processor,
        },
        # deprecated flat fields
        "saleAmount": sale.amount,
        "invoice_id": sale.invoice_id or "",
        "payment_processor": sale.payment_processor,
    }
    if sale.metadata_json:
        shown["metadata"] = sale.metadata_json
    return shown


def click_object(click: Any) -> dict[str, Any]:
    """A stored click, or one being written (the redirect's row), as Dub shows clicks."""
    return {
        "id": click.id, "timestamp": iso(click.timestamp), "url": click.url,
        "country": click.country, "city": click.city,
        "region": f"{click.country}-{click.region}", "continent": click.continent,
        "device": click.device, "browser": click.browser, "os": click.os, "ua": click.ua,
        "trigger": click.trigger, "referer": click.referer, "refererUrl": click.referer_url,
        "qr": bool(click.qr), "ip": click.ip,
    }  # fmt: skip


def _context(click: Click, link: Link, settings: Settings) -> dict[str, Any]:
    """The click and link objects, and the deprecated flat copies of their fields."""
    return {
        # /events strips the referrer's query string (TB v4_events); webhooks keep it whole
        "click": click_object(click) | {"refererUrl": _without_query(click.referer_url)},
        "link": present_link(link, settings).model_dump(mode="json", by_alias=True),
        "click_id": click.id, "link_id": link.id, "domain": link.domain, "key": link.key,
        "url": click.url, "continent": click.continent, "country": click.country,
        "city": click.city, "device": click.device, "browser": click.browser, "os": click.os,
        "qr": int(click.qr), "ip": click.ip,
    }  # fmt: skip


def _customer(customer: Customer | None, customer_id: str) -> dict[str, Any]:
    if customer is None:
        return {"id": customer_id, "externalId": customer_id, "createdAt": EPOCH,
                **DELETED_CUSTOMER, "avatar": None, "country": None}  # fmt: skip
    return {
        "id": customer.id, "externalId": customer.external_id or "",
        "name": customer.name or customer.email or "", "email": customer.email,
        "avatar": customer.avatar, "country": customer.country,
        "createdAt": iso(customer.created_at),
    }  # fmt: skip


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme:
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
