"""Every answer one generation of Dub's Python SDK reads, as tour.test.mjs does for npm: links,
track (lead, duplicate, sale, repeated invoice, JPY, unknown customer), customers where the
generation has them, events and analytics. Runs in that generation's environment, as
`python -m tests.contract.sdk_scripts.tour`, with the same inputs (JSON in $SDK_TEST_INPUTS);
prints each step's outcome, as the other scripts do. The generations' signatures differ from
the one mypy sees (0.39.0), so the client is driven as `Any`."""

from __future__ import annotations

import inspect
import json
import os
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from dub import Dub

from tests.contract.sdk_scripts.harness import INPUTS_VARIABLE, Outcome, outcome


def as_model(answer: Any) -> Any:
    """A list of models (events, analytics rows) as one model, so that `outcome` can dump it."""

    class Listed:
        def model_dump(self, *, mode: str, by_alias: bool) -> Any:
            return [item.model_dump(mode=mode, by_alias=by_alias) for item in answer]

    return Listed() if isinstance(answer, list) else answer


def page(answer: Any) -> Any:
    """A list call's first page: a model with `result`, or the list itself."""
    return as_model(getattr(answer, "result", answer))


def links(dub: Any) -> dict[str, Outcome]:
    steps = {"links.create": outcome(lambda: dub.links.create(request={"url": "https://x.co/t"}))}
    link_id = steps["links.create"].get("body", {}).get("id", "")
    calls: dict[str, Callable[[], Any]] = {
        "links.get": lambda: dub.links.get(request={"link_id": link_id}),
        "links.list": lambda: page(dub.links.list(request={})),
        "links.count": lambda: Count(dub.links.count(request={})),
        "links.update": lambda: dub.links.update(link_id=link_id, request_body={"title": "Tour"}),
        "links.delete": lambda: dub.links.delete(link_id=link_id),
    }
    return steps | {name: outcome(run) for name, run in calls.items()}


class Count:
    """`links.count`'s number, dumped as itself."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def model_dump(self, **_: Any) -> Any:
        return self.value


def track(dub: Any, inputs: dict[str, Any]) -> dict[str, Outcome]:
    def who(index: int) -> dict[str, Any]:
        return {inputs["customer_field"]: inputs["customers"][index]}

    lead = {"click_id": inputs["click_id"], "event_name": "Sign up", **who(0),
            "metadata": {"via": "tour"}}  # fmt: skip
    sale = {**who(0), "amount": 4999, "payment_processor": "stripe",
            "invoice_id": inputs["invoice"]}  # fmt: skip
    jpy = {**who(0), "amount": 1580, "currency": "jpy", "payment_processor": "shopify"}
    unknown = {**who(1), "amount": 100, "payment_processor": "stripe"}
    calls: dict[str, Callable[[], Any]] = {
        "track.lead": lambda: dub.track.lead(request=lead),
        "track.duplicate_lead": lambda: dub.track.lead(request=lead),
        "track.sale": lambda: dub.track.sale(request=sale),
        "track.repeated_invoice": lambda: dub.track.sale(request=sale),
        "track.jpy_sale": lambda: dub.track.sale(request=jpy),
        "track.unknown_customer": lambda: dub.track.sale(request=unknown),
    }
    return {name: outcome(run) for name, run in calls.items()}


def customers(dub: Any) -> dict[str, Outcome]:
    if not hasattr(dub, "customers"):
        return {}
    takes = inspect.signature(dub.customers.list).parameters  # 0.16.1's takes no request
    arguments: dict[str, Any] = {"request": {}} if "request" in takes else {}
    steps = {"customers.list": outcome(lambda: page(dub.customers.list(**arguments)))}
    first = (steps["customers.list"].get("body") or [{}])[0].get("id", "")
    return steps | {"customers.get": outcome(lambda: dub.customers.get(request={"id": first}))}


def reads(dub: Any, inputs: dict[str, Any]) -> dict[str, Outcome]:
    steps: dict[str, Outcome] = {}
    for call in inputs["calls"]:
        time.sleep(inputs["pace_ms"] / 1000)
        steps[call["name"]] = outcome(partial(ask, dub, call))
    return steps


def ask(dub: Any, call: dict[str, Any]) -> Any:
    request = {"event": call["request"]["event"], "interval": call["request"]["interval"]}
    if call["operation"] == "events.list":
        return as_model(dub.events.list(request=request))
    request["group_by"] = call["request"]["groupBy"]
    return as_model(dub.analytics.retrieve(request=request))


def main() -> None:
    inputs = json.loads(os.environ[INPUTS_VARIABLE])
    reader = Dub(token=inputs["api_key"], server_url=inputs["base_url"])
    writer = Dub(token=inputs["writer_key"], server_url=inputs["base_url"])
    steps = links(writer) | track(writer, inputs) | customers(reader) | reads(reader, inputs)
    print(json.dumps(steps))


if __name__ == "__main__":
    main()
