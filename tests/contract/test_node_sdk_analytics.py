"""Dub's npm SDK (`dub` in tests/contract/node), unmodified, against one live server: customers
paged to the end, read, updated and deleted; events of every type and analytics for every event
and groupBy. Each answer must pass the SDK's own validation, and what the SDK reports must be
what the database holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.contract.ledger import CALLS, PACE, Call, Ledger
from tests.contract.sdk_clients import NodeRun, run_node
from tests.contract.traffic import Traffic, call
from tests.support import LiveServer, fetch_sync


@pytest.fixture(scope="module")
def analytics_run(traffic: Traffic, tmp_path_factory: pytest.TempPathFactory) -> NodeRun:
    """analytics.test.mjs, run once for every call, whose answers the tests below check."""
    inputs = {
        "base_url": traffic.server.url, "api_key": traffic.tenant.key, "pace_ms": PACE * 1000,
        "calls": [c.node() for c in CALLS],
    }  # fmt: skip
    return run_node("analytics", json.dumps(inputs), tmp_path_factory.mktemp("node"))


def test_every_call_passes_under_node(analytics_run: NodeRun) -> None:
    assert analytics_run.passed, analytics_run.output


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
def test_the_sdk_accepts_what_the_database_holds(
    analytics_run: NodeRun, ledger: Ledger, call: Call
) -> None:
    outcome = analytics_run.steps.get(call.name)
    assert outcome is not None, f"node did not get to {call.name}:\n{analytics_run.output}"
    if call.unmodelled:  # see ledger.UNMODELLED
        assert outcome.get("error") == "ResponseValidationError", outcome
        assert outcome["raw"], "an empty list would have parsed: the traffic has rows of these"
        ledger.check(call, outcome["raw"])
    else:
        assert "error" not in outcome, outcome
        ledger.check(call, outcome["body"])


def test_customers_are_paged_to_the_end_read_updated_and_deleted(
    module_server: LiveServer, tmp_path: Path
) -> None:
    tenant = module_server.tenant("globex", plan="enterprise")
    made = [
        call(module_server, tenant, "POST", "/customers",
             {"externalId": f"c{n}", "email": f"c{n}@x.co", "country": "US"})["id"]
        for n in range(7)
    ]  # fmt: skip
    inputs = {
        "base_url": module_server.url, "api_key": tenant.key, "made": made, "page_size": 3,
        "renamed": {"id": made[3], "externalId": "c3", "name": "Cee"}, "deleted": made[5],
    }  # fmt: skip
    done = run_node("customers", json.dumps(inputs), tmp_path)
    assert done.passed, done.output
    pages = done.steps["pages"]["body"]
    assert [len(page) for page in pages] == [3, 3, 1, 0]  # the empty page ends the iteration
    assert done.steps["get"]["body"]["email"] == "c3@x.co"
    stored = fetch_sync(
        module_server.settings,
        "SELECT id, external_id, name, email FROM customers WHERE workspace_id = :workspace",
        workspace=tenant.workspace_id,
    )
    by_id = {row["id"]: row for row in stored}
    assert set(by_id) == set(made) - {made[5]}
    updated = done.steps["update"]["body"]
    assert (updated["id"], updated["name"], updated["email"]) == (made[3], "Cee", "c3@x.co")
    assert (by_id[made[3]]["name"], by_id[made[3]]["email"]) == ("Cee", "c3@x.co")
    assert done.steps["delete"]["body"] == {"id": made[5]}
    assert done.steps["get_deleted"]["error"] == "NotFound"
