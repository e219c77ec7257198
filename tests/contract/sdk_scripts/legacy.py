"""The scenarios of the SDK generations before 0.39 (0.14.0, 0.16.1), which differ only in how
a request names the customer. Each generation's script says how, and runs these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import cast

from dub import Dub
from dub.models.operations import PaymentProcessor

from tests.contract.sdk_scripts.harness import (
    WRONG_KEY,
    Inputs,
    LegacyClient,
    Outcome,
    Scenario,
    outcome,
)


@dataclass(frozen=True)
class Generation:
    id_field: str  # how requests name the customer: "customer_id" (0.14) or "external_id" (0.16)
    second_id_field: str = "customer_id"  # the second customer: the older name, throughout
    no_customer: Mapping[str, object] = field(default_factory=dict)  # a lead naming nobody

    def client(self, inputs: Inputs, key: str | None = None) -> LegacyClient:
        return cast(LegacyClient, Dub(token=key or inputs.api_key, server_url=inputs.base_url))

    def lead(self, inputs: Inputs, index: int) -> dict[str, object]:
        """The lead of customer `index` from click `index`; the first customer has a name."""
        name = self.id_field if index == 0 else self.second_id_field
        request: dict[str, object] = {
            "click_id": inputs.click_ids[index],
            "event_name": inputs.event_name,
            name: inputs.customers[index],
        }
        if index == 0:
            request |= {
                "customer_name": inputs.customer_name,
                "customer_email": inputs.customer_email,
            }
        return request

    def sale(self, inputs: Inputs, **fields: object) -> dict[str, object]:
        return {self.id_field: inputs.customers[0], "payment_processor": "stripe", **fields}


def conversions(gen: Generation, inputs: Inputs) -> dict[str, Outcome]:
    track = gen.client(inputs).track
    usd = gen.sale(
        inputs, amount=inputs.usd_amount, invoice_id=inputs.invoices[0], metadata={"plan": "pro"}
    )
    jpy = {
        gen.second_id_field: inputs.customers[1],
        "amount": inputs.jpy_amount,
        "currency": "jpy",
        "payment_processor": "shopify",
        "invoice_id": inputs.invoices[1],
    }
    return {
        "lead": outcome(lambda: track.lead(request=gen.lead(inputs, 0))),
        "duplicate_lead": outcome(lambda: track.lead(request=gen.lead(inputs, 0))),
        "second_lead": outcome(lambda: track.lead(request=gen.lead(inputs, 1))),
        "sale": outcome(lambda: track.sale(request=usd)),
        "repeated_invoice": outcome(lambda: track.sale(request=usd)),
        "jpy_sale": outcome(lambda: track.sale(request=jpy)),
    }


def errors(gen: Generation, inputs: Inputs) -> dict[str, Outcome]:
    track = gen.client(inputs).track
    unknown_click = gen.lead(inputs, 0) | {"click_id": "unknownClick0000"}
    no_customer: dict[str, object] = {
        "click_id": inputs.click_ids[0],
        "event_name": inputs.event_name,
        **gen.no_customer,
    }
    negative = gen.sale(inputs, amount=-1)
    wrong_key = gen.client(inputs, WRONG_KEY).track
    return {
        "unknown_click": outcome(lambda: track.lead(request=unknown_click)),
        "no_customer_id": outcome(lambda: track.lead(request=no_customer)),
        "negative_amount": outcome(lambda: track.sale(request=negative)),
        "wrong_key": outcome(lambda: wrong_key.lead(request=gen.lead(inputs, 0))),
    }


def customer(gen: Generation, inputs: Inputs) -> dict[str, Outcome]:
    """`track.customer` creates the customer, then updates it."""
    track = gen.client(inputs).track
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


def payment_processors(gen: Generation, inputs: Inputs) -> dict[str, Outcome]:
    """A lead, then one sale per payment processor this generation offers."""
    track = gen.client(inputs).track
    steps = {"lead": outcome(lambda: track.lead(request=gen.lead(inputs, 0)))}
    for processor in PaymentProcessor:
        sale = gen.sale(
            inputs,
            amount=100,
            payment_processor=processor.value,
            invoice_id=f"inv-{processor.value}",
        )
        steps[processor.value] = outcome(partial(track.sale, request=sale))
    return steps


def scenarios(gen: Generation) -> dict[str, Scenario]:
    return {
        name: partial(run, gen)
        for name, run in {
            "conversions": conversions,
            "errors": errors,
            "customer": customer,
            "payment_processors": payment_processors,
        }.items()
    }
