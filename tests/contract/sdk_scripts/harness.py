"""What the SDK scripts share. A script runs in the virtualenv of one generation of Dub's Python
SDK, as `python -m tests.contract.sdk_scripts.<script> <scenario>` from the repository root, reads
its inputs from the JSON in $SDK_TEST_INPUTS and prints one JSON object: for each step, the answer
the SDK parsed or the error it raised. The scripts only drive the SDK; the tests judge."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

INPUTS_VARIABLE = "SDK_TEST_INPUTS"
WRONG_KEY = "dub_" + "x" * 24  # shaped like an API key, but no workspace's

Outcome = dict[str, Any]


class Model(Protocol):
    """A pydantic model the SDK returned (every generation's models are pydantic v2)."""

    def model_dump(self, *, mode: str, by_alias: bool) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Inputs:
    base_url: str
    api_key: str
    click_ids: list[str]  # two clicks of one trackConversion link
    customers: list[str]  # two external ids, one per click
    customer_name: str  # the first customer's; the second gets a generated name
    customer_email: str
    event_name: str
    invoices: list[str]  # the USD sale's, the JPY sale's
    usd_amount: int  # cents
    jpy_amount: int  # yen (a zero-decimal currency)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Inputs:
        return cls(**json.loads(text))


Scenario = Callable[[Inputs], dict[str, Outcome]]
Request = Mapping[str, object]


class LegacyTrack(Protocol):
    """`Dub(...).track` of the generations before 0.39 (0.14.0, 0.16.1), as their scripts use
    it. mypy runs in .venv, where only the current generation is installed, so the older
    generations' scripts are checked against this instead of the SDK's own signatures."""

    def lead(self, *, request: Request) -> Model: ...
    def sale(self, *, request: Request) -> Model: ...
    def customer(self, *, request: Request) -> Model: ...


class LegacyClient(Protocol):
    @property
    def track(self) -> LegacyTrack: ...


def outcome(call: Callable[[], Model | None]) -> Outcome:
    """`{"type", "body"}` for an answer the SDK accepted, else `{"error", "body" | "message"}`:
    a typed API error carries Dub's envelope, anything else (a response the SDK's validation
    rejected, say) its message."""
    try:
        answer = call()
    except Exception as exc:
        data: Model | None = getattr(exc, "data", None)
        if data is None:
            return {"error": type(exc).__name__, "message": str(exc)}
        return {"error": type(exc).__name__, "body": data.model_dump(mode="json", by_alias=True)}
    if answer is None:
        return {"type": None, "body": None}
    return {"type": type(answer).__name__, "body": answer.model_dump(mode="json", by_alias=True)}


def main(scenarios: Mapping[str, Scenario]) -> None:
    inputs = Inputs.from_json(os.environ[INPUTS_VARIABLE])
    print(json.dumps(scenarios[sys.argv[1]](inputs)))
