"""Dub's Python SDK 0.14.0, the generation of the seed documents (.venv-sdk/dub-0.14.0):
`customerId` is the customer's external id, `paymentProcessor` (stripe, shopify or paddle) is
required, and every answer is non-nullable."""

from __future__ import annotations

from functools import partial
from typing import cast

from dub import Dub
from dub.models.operations import PaymentProcessor

from tests.contract.sdk_scripts.harness import (
    WRONG_KEY,
    Inputs,
    LegacyClient,
    Outcome,
    main,
    outcome,
)


def client(inputs: Inputs, key: str | None = None) -> LegacyClient:
    return cast(LegacyClient, Dub(token=key or inputs.api_key, server_url=inputs.base_url))


def lead(inputs: Inputs, index: int) -> dict[str, object]:
    """The lead of customer `index` from click `index`; the first customer has a name."""
    request: dict[str, object] = {
        "click_id": inputs.click_ids[index],
        "event_name": inputs.event_name,
        "customer_id": inputs.customers[index],
    }
    if index == 0:
        request |= {"customer_name": inputs.customer_name, "customer_email": inputs.customer_email}
    return request


def conversions(inputs: Inputs) -> dict[str, Outcome]:
    track = client(inputs).track
    usd = {
        "customer_id": inputs.customers[0],
        "amount": inputs.usd_amount,
        "payment_processor": "stripe",
        "invoice_id": inputs.invoices[0],
        "metadata": {"plan": "pro"},
    }
    jpy = {
        "customer_id": inputs.customers[1],
        "amount": inputs.jpy_amount,
        "currency": "jpy",
        "payment_processor": "shopify",
        "invoice_id": inputs.invoices[1],
    }
    return {
        "lead": outcome(lambda: track.lead(request=lead(inputs, 0))),
        "duplicate_lead": outcome(lambda: track.lead(request=lead(inputs, 0))),
        "second_lead": outcome(lambda: track.lead(request=lead(inputs, 1))),
        "sale": outcome(lambda: track.sale(request=usd)),
        "repeated_invoice": outcome(lambda: track.sale(request=usd)),
        "jpy_sale": outcome(lambda: track.sale(request=jpy)),
    }


def errors(inputs: Inputs) -> dict[str, Outcome]:
    track = client(inputs).track
    unknown_click = lead(inputs, 0) | {"click_id": "unknownClick0000"}
    no_customer = lead(inputs, 0) | {"customer_id": ""}
    negative = {"customer_id": inputs.customers[0], "amount": -1, "payment_processor": "stripe"}
    return {
        "unknown_click": outcome(lambda: track.lead(request=unknown_click)),
        "no_customer_id": outcome(lambda: track.lead(request=no_customer)),
        "negative_amount": outcome(lambda: track.sale(request=negative)),
        "wrong_key": outcome(lambda: client(inputs, WRONG_KEY).track.lead(request=lead(inputs, 0))),
    }


def customer(inputs: Inputs) -> dict[str, Outcome]:
    """`track.customer` creates the customer, then updates it."""
    track = client(inputs).track
    created = {
        "customer_id": inputs.customers[0],
        "customer_name": inputs.customer_name,
        "customer_email": inputs.customer_email,
    }
    updated = created | {"customer_name": f"{inputs.customer_name} (renamed)"}
    return {
        "create": outcome(lambda: track.customer(request=created)),
        "update": outcome(lambda: track.customer(request=updated)),
    }


def payment_processors(inputs: Inputs) -> dict[str, Outcome]:
    """A lead, then one sale per payment processor this generation offers."""
    track = client(inputs).track
    steps = {"lead": outcome(lambda: track.lead(request=lead(inputs, 0)))}
    for processor in PaymentProcessor:
        sale = {
            "customer_id": inputs.customers[0],
            "amount": 100,
            "payment_processor": processor.value,
            "invoice_id": f"inv-{processor.value}",
        }
        steps[processor.value] = outcome(partial(track.sale, request=sale))
    return steps


if __name__ == "__main__":
    main(
        {
            "conversions": conversions,
            "errors": errors,
            "customer": customer,
            "payment_processors": payment_processors,
        }
    )
