"""The document the fuzzer reads is the one served, and it declares what the fuzzer cannot
find by chance: every error as Dub's envelope with its code, the key on every keyed
operation, and the shapes of seeded events and analytics."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis

from clicktrail.analytics.request import EventType
from clicktrail.analytics.service import GroupBy
from clicktrail.api import bodylimit
from clicktrail.errors import code_for_status
from tests.fuzz.document import DOCUMENT
from tests.fuzz.workspace import Workspace, click
from tests.support import LiveServer

SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config())
PUBLIC = {("GET", "/health"), ("POST", "/track/click"), ("GET", "/qr")}
# /health answers its own body when the database is away (api/system.py).
NOT_ENVELOPES = {("GET", "/health", "503")}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
    ]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    name = schema["$ref"].rsplit("/", 1)[1]
    found: dict[str, Any] = DOCUMENT["components"]["schemas"][name]
    return found


def declared_code(response: dict[str, Any]) -> list[str]:
    envelope = resolve(response["content"]["application/json"]["schema"])
    detail = resolve(envelope["properties"]["error"])
    assert detail["required"] == ["code", "message", "doc_url"]
    codes: list[str] = detail["properties"]["code"]["enum"]
    return codes


@pytest.mark.parametrize("path", ["/openapi.json", "/api/openapi.json"])
def test_the_server_serves_the_fuzzed_document(fuzz_server: LiveServer, path: str) -> None:
    assert httpx.get(fuzz_server.url + path).json() == DOCUMENT


def test_every_error_is_the_envelope_with_the_one_code_of_its_status() -> None:
    for method, path, operation in operations():
        for status, response in operation["responses"].items():
            if int(status) < 400 or (method, path, status) in NOT_ENVELOPES:
                continue
            expected = bodylimit.CODE if status == "413" else code_for_status(int(status))
            assert declared_code(response) == [expected], (method, path, status)


def test_no_operation_declares_fastapis_validation_error() -> None:
    """We answer 422 as Dub does, never as FastAPI's `{"detail": [...]}`."""
    assert "HTTPValidationError" not in DOCUMENT["components"]["schemas"]


def test_keyed_operations_declare_the_key_and_its_errors() -> None:
    for method, path, operation in operations():
        if (method, path) in PUBLIC:
            assert "security" not in operation, (method, path)
            continue
        assert operation["security"] == [{"token": []}], (method, path)
        assert {"400", "401", "404", "429"} <= set(operation["responses"]), (method, path)
    scheme = DOCUMENT["components"]["securitySchemes"]["token"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


@pytest.mark.parametrize("event", ["clicks", "leads", "sales"])
def test_seeded_events_are_what_the_document_says(
    fuzz_server: LiveServer, workspace: Workspace, event: str
) -> None:
    response = httpx.get(
        f"{fuzz_server.url}/events", params={"event": event}, headers=workspace.auth()
    )
    assert response.status_code == 200, response.text
    assert len(response.json()) >= 3
    SCHEMA["/events"]["GET"].validate_response(response)


@pytest.mark.parametrize("group_by", [group.value for group in GroupBy])
def test_seeded_analytics_are_what_the_document_says(
    fuzz_server: LiveServer, workspace: Workspace, group_by: str
) -> None:
    params = {"event": EventType.composite.value, "groupBy": group_by}
    response = httpx.get(f"{fuzz_server.url}/analytics", params=params, headers=workspace.auth())
    assert response.status_code == 200, response.text
    assert response.json(), "every grouping has a row for the seeded clicks"
    SCHEMA["/analytics"]["GET"].validate_response(response)


def test_a_conversion_is_what_the_document_says(
    fuzz_server: LiveServer, workspace: Workspace
) -> None:
    """The 200s of /track/lead and /track/sale, which fuzzing seldom reaches (it has no click
    ids), and the sale's repeat, answered from what the first one stored."""
    with httpx.Client(base_url=fuzz_server.url, headers=workspace.auth()) as client:
        body = {"url": "https://example.com/doc", "trackConversion": True}
        link = client.post("/links", json=body).json()
        lead = {"clickId": click(client, link["key"]), "eventName": "Sign up",
                "customerExternalId": "doc-1", "customerEmail": "doc@example.com"}  # fmt: skip
        sale = {"customerExternalId": "doc-1", "amount": 700, "currency": "eur",
                "invoiceId": "doc-inv", "metadata": {"plan": "pro"}}  # fmt: skip
        answers = [
            ("/track/lead", client.post("/track/lead", json=lead)),
            ("/track/lead", client.post("/track/lead", json=lead)),  # the duplicate's shape
            ("/track/sale", client.post("/track/sale", json=sale)),
            ("/track/sale", client.post("/track/sale", json=sale)),
        ]
    for path, response in answers:
        assert response.status_code == 200, response.text
        SCHEMA[path]["POST"].validate_response(response)
