"""The `data` of each webhook event (spec §8)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clicktrail.config import Settings
from clicktrail.customers.present import present as present_customer
from clicktrail.events.present import click_object
from clicktrail.kit.clock import iso
from clicktrail.links.present import present as present_link
from clicktrail.models import Customer, Link


def link_data(link: Link, settings: Settings) -> dict[str, Any]:
    return present_link(link, settings).model_dump(mode="json", by_alias=True)


def clicked_data(click: Any, link: Link, settings: Settings) -> dict[str, Any]:
    return {"click": click_object(click), "link": link_data(link, settings)}


def _customer(customer: Customer) -> dict[str, Any]:
    shown = present_customer(customer).model_dump(mode="json", by_alias=True)
    shown.pop("country", None)
    return shown


def lead_data(
    event_name: str, customer: Customer, click: Any, link: Link,
    metadata: dict[str, Any] | None, settings: Settings,
) -> dict[str, Any]:  # fmt: skip
    return {
        "eventName": event_name,
        "customer": _customer(customer),
        "click": click_object(click),
        "link": link_data(link, settings),
        "metadata": metadata or None,
    }


def sale_data(
    sale: Mapping[str, Any], customer: Customer, click: Any, link: Link, settings: Settings
) -> dict[str, Any]:
    """`sale`: the sale's column values, as written."""
    shown = lead_data(sale["event_name"], customer, click, link, sale["metadata"], settings)
    shown["click"]["timestamp"] = iso(customer.clicked_at or customer.created_at)
    shown["sale"] = {
        "amount": sale["amount"],
        "currency": sale["currency"],
        "paymentProcessor": sale["payment_processor"],
        "invoiceId": sale["invoice_id"],
    }
    return shown
