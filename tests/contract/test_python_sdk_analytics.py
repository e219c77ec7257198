"""Dub's Python SDK (0.39.0), unmodified, lists events of every type and retrieves analytics
for every event and groupBy the server supports: each answer must pass the SDK's own
validation, and what the SDK reports must be what the database holds."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from dub import Dub
from dub.models import errors, operations

from tests.contract.ledger import CALLS, INTERVAL, PACE, Call, Ledger
from tests.contract.traffic import Traffic


@pytest.fixture(scope="module")
def dub(traffic: Traffic) -> Dub:
    return Dub(token=traffic.tenant.key, server_url=traffic.server.url)


def ask(dub: Dub, call: Call) -> Any:
    time.sleep(PACE)
    if call.group_by is None:
        events = operations.QueryParamEvent(call.event)
        interval = operations.QueryParamInterval(INTERVAL)
        return dub.events.list(request={"event": events, "interval": interval})
    return dub.analytics.retrieve(
        request={
            "event": operations.Event(call.event),
            "group_by": operations.QueryParamGroupBy(call.group_by),
            "interval": operations.Interval(INTERVAL),
        }
    )


def as_json(answer: Any) -> Any:
    """The SDK's models as Dub's JSON (a list of models, or one)."""
    if isinstance(answer, list):
        return [as_json(item) for item in answer]
    return answer.model_dump(mode="json", by_alias=True)


@pytest.mark.parametrize("call", [c for c in CALLS if not c.unmodelled], ids=lambda c: c.name)
def test_the_sdk_accepts_what_the_database_holds(dub: Dub, ledger: Ledger, call: Call) -> None:
    ledger.check(call, as_json(ask(dub, call)))


@pytest.mark.parametrize("call", [c for c in CALLS if c.unmodelled], ids=lambda c: c.name)
def test_unmodelled_groupings_are_right_but_the_sdk_has_no_model_for_them(
    dub: Dub, ledger: Ledger, call: Call
) -> None:
    with pytest.raises(errors.ResponseValidationError) as raised:
        ask(dub, call)
    answer = json.loads(raised.value.body)
    assert answer, "an empty list would have parsed: the traffic has rows of these"
    ledger.check(call, answer)
