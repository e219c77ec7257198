"""What the fuzzer found, pinned: input that once reached the database and failed there (500)
is a 422 at the edge, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import httpx
import pytest

from clicktrail.kit.text import UNSTORABLE
from tests.fuzz.workspace import Workspace
from tests.support import LiveServer

TOO_FAR = "100000000000000000000"
PAGE_BOUND = "too_big: page: Too big: expected number to be <=1000000000"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        # the offset overflowed SQLite's 64-bit integers
        (f"/links?page={TOO_FAR}", PAGE_BOUND),
        (f"/customers?page={TOO_FAR}", PAGE_BOUND),
        (f"/events?page={TOO_FAR}", PAGE_BOUND),
        # PostgreSQL refuses NUL in text, also as a query parameter
        ("/links?search=a%00b", f"custom: search: {UNSTORABLE}"),
        ("/links/info?domain=a%00&key=b", f"custom: domain: {UNSTORABLE}"),
        ("/customers?email=%00", f"custom: email: {UNSTORABLE}"),
        ("/customers/cus%00", f"custom: customer_id: {UNSTORABLE}"),
        ("/analytics?country=FR%00", f"custom: country: {UNSTORABLE}"),
        ("/events?linkId=%00", f"custom: linkId: {UNSTORABLE}"),
    ],
)
def test_hostile_parameters_are_422(
    fuzz_server: LiveServer, workspace: Workspace, path: str, message: str
) -> None:
    response = httpx.get(fuzz_server.url + path, headers=workspace.auth())
    assert (response.status_code, response.json()["error"]["message"]) == (422, message)


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        # an unpaired surrogate in a plain string field could not be encoded as UTF-8
        ("/links", rb'{"url": "https://a.example", "title": "\udb1d"}', "title"),
        ("/customers", rb'{"externalId": "x", "avatar": "a\u0000"}', "avatar"),
        ("/webhooks", rb'{"name": "\u0000", "url": "https://a.example", "triggers": []}', "name"),
        (
            "/track/lead",
            rb'{"eventName": "e", "metadata": {"k": ["ok", "\u0000"]}}',
            "metadata.k[1]",
        ),
        ("/track/sale", rb'{"amount": 1, "metadata": {"\ud800": 1}}', "metadata"),
        ("/track/click", rb'{"domain": "localhost:8000", "key": "\u0000"}', "key"),
    ],
)
def test_hostile_bodies_are_422(
    fuzz_server: LiveServer, workspace: Workspace, path: str, body: bytes, message: str
) -> None:
    response = httpx.post(fuzz_server.url + path, content=body, headers=workspace.auth())
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"] == f"custom: {message}: {UNSTORABLE}"
