"""Schemathesis fuzzes every operation of /openapi.json against a live server, in a workspace
with real objects: no answer is a 5xx, and every answer is one the document declares for the
operation (its status code, content type and body schema).

Deterministic (a fixed seed, derandomized, no example database) and bounded: the examples of
the document, the coverage phase's fixed edge cases (boundary values, wrong types, missing
fields, bad auth), then MAX_EXAMPLES generated cases per operation; and at most
SECONDS_PER_OPERATION of requests per operation, so that a slow machine runs fewer cases
rather than longer.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.budget import Budget
from tests.fuzz.document import DOCUMENT
from tests.fuzz.workspace import Workspace
from tests.support import LiveServer

# A deeper run, locally or nightly: CLICKTRAIL_FUZZ_EXAMPLES=500 CLICKTRAIL_FUZZ_SEED=7.
MAX_EXAMPLES = int(os.environ.get("CLICKTRAIL_FUZZ_EXAMPLES", "15"))
SEED = int(os.environ.get("CLICKTRAIL_FUZZ_SEED", "20250601"))
SECONDS_PER_OPERATION = 6.0 * max(1, MAX_EXAMPLES // 15)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "suppress-health-check": ["too_slow"],  # a loaded CI machine generates slowly
        "generation": {"deterministic": True, "database": "none", "max-examples": MAX_EXAMPLES},
    }
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# The seeded workspace's real ids (Workspace.ids), known once it is seeded.
SEEDED: list[Workspace] = []
BUDGET = Budget(SECONDS_PER_OPERATION)


@schema.hook
def before_generate_path_parameters(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[dict[str, Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Ids of real objects as often as made-up ones, so that operations on an id get past
    their 404 (deferred: the ids exist only once the workspace is seeded)."""
    operation = context.operation
    assert operation is not None
    names = [parameter.name for parameter in operation.path_parameters]

    def real() -> st.SearchStrategy[dict[str, Any]]:
        known = SEEDED[0].ids(operation.method) if SEEDED else {}
        if not all(known.get(name) for name in names):
            return strategy
        return st.fixed_dictionaries({name: st.sampled_from(known[name]) for name in names})

    return st.one_of(strategy, st.deferred(real))


@pytest.fixture(autouse=True)
def _seeded(workspace: Workspace) -> None:
    SEEDED[:] = [workspace]


@schema.parametrize()
def test_every_operation(
    case: schemathesis.Case[Any], fuzz_server: LiveServer, workspace: Workspace
) -> None:
    with BUDGET.spend(case.operation.label) as allowed:
        if allowed:
            case.call_and_validate(
                base_url=fuzz_server.url, headers=workspace.auth(), checks=CHECKS, timeout=30
            )
