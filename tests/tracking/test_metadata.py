"""Metadata is bounded as Dub bounds it: `JSON.stringify(metadata).length <= 10000`, counted in
UTF-16 code units, on both routes that take it (issue 15)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.tracking.helpers import Tracker, assert_error

LIMIT = 10_000
FRAME = len('{"note":""}')  # what the one key adds around its value
TOO_LONG = "custom: metadata: Metadata must be less than 10,000 characters when stringified"


def note(text: str) -> dict[str, Any]:
    return {"note": text}


ROOM = LIMIT - FRAME  # 9989 UTF-16 units of text fit in the note
# 日 is one UTF-16 unit (three UTF-8 bytes, a six-character escape for Python's json.dumps);
# 😀 is two (a surrogate pair); a newline is written `\n`, two units, in JavaScript too.
CASES = {
    "cjk-at": (note("日" * ROOM), False),
    "cjk-over": (note("日" * (ROOM + 1)), True),
    "emoji-at": (note("é" + "😀" * (ROOM // 2)), False),
    "emoji-over": (note("😀" * (ROOM // 2 + 1)), True),
    "escapes-at": (note("é" + "\n" * (ROOM // 2)), False),
    "escapes-over": (note("\n" * (ROOM // 2 + 1)), True),
}


async def lead_with(track: Tracker, metadata: dict[str, Any]) -> Any:
    click_id = await track.click(await track.link())
    body = {"clickId": click_id, "eventName": "Sign up", "customerExternalId": "u1"}
    return await track.post("/track/lead", body | {"metadata": metadata})


async def sale_with(track: Tracker, metadata: dict[str, Any]) -> Any:
    click_id = await track.click(await track.link())
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    body = {"customerExternalId": "u1", "amount": 100, "invoiceId": "in_1"}
    return await track.post("/track/sale", body | {"metadata": metadata})


@pytest.mark.parametrize("route", ["leads", "sales"])
@pytest.mark.parametrize("case", list(CASES))
async def test_the_limit_counts_utf16_units(track: Tracker, route: str, case: str) -> None:
    metadata, over = CASES[case]
    send = lead_with if route == "leads" else sale_with
    response = await send(track, metadata)
    if over:
        assert_error(response, 422, "unprocessable_entity", TOO_LONG)
        assert await track.rows(f"SELECT id FROM {route}") == []  # noqa: S608 - a fixed name
        return
    assert response.status_code == 200, response.text[:300]
    [row] = await track.rows(f"SELECT metadata FROM {route}")  # noqa: S608 - a fixed name
    stored = row["metadata"]
    assert (stored if isinstance(stored, dict) else json.loads(stored)) == metadata
