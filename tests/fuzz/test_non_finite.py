"""`NaN`, `Infinity` and `-Infinity`, generated anywhere in the body of every operation that reads
one (a documented field, metadata, nested in arrays and objects, the whole body): each is 400,
nothing is stored, and every listing still answers JSON that a strict parser reads (issue 11).

Deterministic (derandomized) and bounded like the rest of the fuzz package."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clicktrail.errors import INVALID_JSON, envelope
from clicktrail.kit.jsontext import NonFiniteNumber
from tests.fuzz.document import DOCUMENT
from tests.fuzz.workspace import Workspace
from tests.support import LiveServer

BODY_METHODS = ("post", "put", "patch")
TOKENS = st.sampled_from(["NaN", "Infinity", "-Infinity"])
FINITE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
).map(json.dumps)  # fmt: skip
# Listings whose rows hold what bodies carried: a stored non-finite number would show here.
LISTINGS = ["/links", "/customers", "/events?event=leads", "/events?event=sales", "/webhooks"]


def _operations() -> list[tuple[str, str, list[str]]]:
    """(method, path, the body's documented field names) for every operation with a body."""
    found = []
    for path, item in DOCUMENT["paths"].items():
        for method in BODY_METHODS:
            operation = item.get(method)
            if operation and "requestBody" in operation:
                found.append((method.upper(), path, sorted(_fields(operation))))
    return found


def _fields(operation: dict[str, Any]) -> set[str]:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    for variant in schema.get("anyOf", [schema]):
        if "$ref" in variant:
            schema = DOCUMENT["components"]["schemas"][variant["$ref"].rsplit("/", 1)[1]]
            return set(schema.get("properties", {}))
    return set()


OPERATIONS = _operations()


def poisoned() -> st.SearchStrategy[str]:
    """JSON text with exactly one non-finite number, at any depth."""

    def in_array(before: list[str], bad: str, after: list[str]) -> str:
        return "[" + ",".join([*before, bad, *after]) + "]"

    def in_object(key: str, bad: str, others: dict[str, str]) -> str:
        members = [f"{json.dumps(k)}:{v}" for k, v in others.items() if k != key]
        return "{" + ",".join([*members, f"{json.dumps(key)}:{bad}"]) + "}"

    small = st.lists(FINITE, max_size=3)
    others = st.dictionaries(st.text(max_size=6), FINITE, max_size=3)
    return st.recursive(
        TOKENS,
        lambda inner: st.one_of(
            st.builds(in_array, small, inner, small),
            st.builds(in_object, st.text(max_size=6), inner, others),
        ),
        max_leaves=6,
    )


@st.composite
def body(draw: st.DrawFn, fields: list[str]) -> bytes:
    """The whole body, or one field (documented, or metadata) of an otherwise plain body."""
    bad = draw(poisoned())
    if not fields or draw(st.integers(0, 5)) == 0:
        return bad.encode()
    field = draw(st.sampled_from([*fields, "metadata"]))
    plain = draw(st.dictionaries(st.sampled_from(fields), FINITE, max_size=3))
    plain.pop(field, None)
    members = [f"{json.dumps(k)}:{v}" for k, v in plain.items()]
    return ("{" + ",".join([*members, f"{json.dumps(field)}:{bad}"]) + "}").encode()


def _path(path: str, workspace: Workspace) -> str:
    for name, ids in workspace.kept.items():
        path = path.replace("{" + name + "}", ids[0] if ids else "x")
    return path


def _strict(text: str) -> Any:
    def refuse(token: str) -> Any:
        raise NonFiniteNumber(token)

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    ("method", "path", "fields"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_non_finite_numbers_anywhere_are_refused(
    fuzz_server: LiveServer, workspace: Workspace, method: str, path: str, fields: list[str]
) -> None:
    target = fuzz_server.url + _path(path, workspace)

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(content=body(fields))
    def case(content: bytes) -> None:
        response = httpx.request(method, target, content=content, headers=workspace.auth())
        assert response.status_code == 400, (content, response.text)
        assert response.json() == envelope("bad_request", INVALID_JSON)

    case()
    for listing in LISTINGS:
        answer = httpx.get(fuzz_server.url + listing, headers=workspace.auth())
        assert answer.status_code == 200, answer.text
        _strict(answer.text)


def test_every_operation_with_a_body_is_covered() -> None:
    paths = {path for _, path, _ in OPERATIONS}
    assert {"/track/lead", "/track/sale", "/links", "/customers", "/webhooks"} <= paths
