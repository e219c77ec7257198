"""Dub's Python SDK 0.39.0, the current generation (installed in .venv): `customerExternalId`,
a `link` in the lead answer, and a sale answer whose `customer` and `sale` may be null."""

from __future__ import annotations

from functools import partial

from dub import Dub
from dub.models.operations import (
    PaymentProcessor,
    TrackLeadRequestBodyTypedDict,
    TrackSaleRequestBodyTypedDict,
)

from tests.contract.sdk_scripts.harness import WRONG_KEY, Inputs, Outcome, main, outcome


def client(inputs: Inputs, key: str | None = None) -> Dub:
    return Dub(token=key or inputs.api_key, server_url=inputs.base_url)


def lead(inputs: Inputs, index: int) -> TrackLeadRequestBodyTypedDict:
    """The lead of customer `index` from click `index`; the first customer has a name."""
    request: TrackLeadRequestBodyTypedDict = {
        "click_id": inputs.click_ids[index],
        "event_name": inputs.event_name,
        "customer_external_id": inputs.customers[index],
    }
    if index == 0:
        request |= {"customer_name": inputs.customer_name, "customer_email": inputs.customer_email}
    return request


def conversions(inputs: Inputs) -> dict[str, Outcome]:
    track = client(inputs).track
    usd: TrackSaleRequestBodyTypedDict = {
        "customer_external_id": inputs.customers[0],
        "amount": inputs.usd_amount,
        "payment_processor": PaymentProcessor.STRIPE,
        "invoice_id": inputs.invoices[0],
        "metadata": {"plan": "pro"},
    }
    jpy: TrackSaleRequestBodyTypedDict = {
        "customer_external_id": inputs.customers[1],
        "amount": inputs.jpy_amount,
        "currency": "jpy",
        "payment_processor": PaymentProcessor.SHOPIFY,
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
    no_customer = lead(inputs, 0) | {"customer_external_id": ""}
    negative: TrackSaleRequestBodyTypedDict = {
        "customer_external_id": inputs.customers[0],
        "amount": -1,
    }
    return {
        "unknown_click": outcome(lambda: track.lead(request=unknown_click)),
        "no_customer_id": outcome(lambda: track.lead(request=no_customer)),
        "negative_amount": outcome(lambda: track.sale(request=negative)),
        "wrong_key": outcome(lambda: client(inputs, WRONG_KEY).track.lead(request=lead(inputs, 0))),
    }


def no_sale(inputs: Inputs) -> dict[str, Outcome]:
    """Answers with `customer: null, sale: null`, which only the current generations accept."""
    track = client(inputs).track
    unknown: TrackSaleRequestBodyTypedDict = {"customer_external_id": "nobody", "amount": 100}
    return {"unknown_customer": outcome(lambda: track.sale(request=unknown))}


def payment_processors(inputs: Inputs) -> dict[str, Outcome]:
    """A lead, then one sale per payment processor this generation offers."""
    track = client(inputs).track
    steps = {"lead": outcome(lambda: track.lead(request=lead(inputs, 0)))}
    for processor in PaymentProcessor:
        sale: TrackSaleRequestBodyTypedDict = {
            "customer_external_id": inputs.customers[0],
            "amount": 100,
            "payment_processor": processor,
            "invoice_id": f"inv-{processor.value}",
        }
        steps[processor.value] = outcome(partial(track.sale, request=sale))
    return steps


if __name__ == "__main__":
    main(
        {
            "conversions": conversions,
            "errors": errors,
            "no_sale": no_sale,
            "payment_processors": payment_processors,
        }
    )
