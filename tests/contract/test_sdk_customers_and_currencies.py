"""Issue 15 through Dub's SDKs, PyPI `dub` 0.39.0 and npm `dub`, against a live server:
customers read and updated with `includeExpandedFields`, the list with `email` combined with
`country` and `linkId` and `externalId` winning over `search`, and a sale in dirham converted
with the bundled rates. Each SDK must accept every answer, and say what the database holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dub import Dub
from dub.models.operations import GetCustomerLink, GetCustomersRequest, UpdateCustomerLink

from tests.contract.sdk_clients import run_node
from tests.contract.traffic import call, visit
from tests.support import LiveServer, Tenant, fetch_sync

EMAIL = "same@x.co"
AED_SALE = {"customerExternalId": "u1", "amount": 36725, "currency": "aed", "invoiceId": "in_aed"}
AED_CENTS = 10000  # 367.25 dirham at the bundled 3.6725 a dollar


@dataclass(frozen=True)
class World:
    server: LiveServer
    tenant: Tenant
    link_id: str

    def sale_amounts(self) -> list[tuple[int, str, int]]:
        rows = fetch_sync(
            self.server.settings,
            "SELECT amount, original_currency, original_amount FROM sales WHERE invoice_id = :i",
            i=AED_SALE["invoiceId"],
        )
        return [(r["amount"], r["original_currency"], r["original_amount"]) for r in rows]


@pytest.fixture
def world(live_server: LiveServer) -> World:
    """u1 came by the link; de and us were created with the same email in two countries."""
    tenant = live_server.tenant("acme")
    link = call(live_server, tenant, "POST", "/links",
                {"url": "https://example.com/pricing", "trackConversion": True})  # fmt: skip
    lead = {"clickId": visit(live_server, link["key"], 1), "eventName": "Sign up",
            "customerExternalId": "u1", "customerEmail": EMAIL}  # fmt: skip
    call(live_server, tenant, "POST", "/track/lead", lead)
    for external, country in (("de", "DE"), ("us", "US")):
        body = {"externalId": external, "email": EMAIL, "country": country}
        call(live_server, tenant, "POST", "/customers", body)
    return World(live_server, tenant, link["id"])


def external_ids(dub: Dub, **request: Any) -> list[str]:
    page = dub.customers.list(request=GetCustomersRequest(**request))
    assert page is not None
    return [customer.external_id for customer in page.result]


def test_the_python_sdk(world: World) -> None:
    dub = Dub(token=world.tenant.key, server_url=world.server.url)
    got = dub.customers.get(request={"id": "ext_u1", "include_expanded_fields": True})
    assert isinstance(got.link, GetCustomerLink)
    assert got.link.id == world.link_id
    updated = dub.customers.update(
        request={"id": "ext_u1", "include_expanded_fields": True, "request_body": {"name": "Uma"}}
    )
    assert isinstance(updated.link, UpdateCustomerLink)
    assert (updated.name, updated.link.id) == ("Uma", world.link_id)
    assert external_ids(dub, email=EMAIL, country="DE") == ["de"]
    assert external_ids(dub, email=EMAIL, link_id=world.link_id) == ["u1"]
    assert external_ids(dub, external_id="us", search="nobody") == ["us"]
    sale = dub.track.sale(request={"customer_external_id": "u1", "amount": 36725,
                                   "currency": "aed", "invoice_id": "in_aed"})  # fmt: skip
    assert sale.sale is not None
    assert (sale.sale.amount, sale.sale.currency) == (AED_CENTS, "usd")
    assert world.sale_amounts() == [(AED_CENTS, "aed", 36725)]


def test_the_npm_sdk(world: World, tmp_path: Path) -> None:
    inputs = {"base_url": world.server.url, "api_key": world.tenant.key, "email": EMAIL,
              "link_id": world.link_id, "sale": AED_SALE}  # fmt: skip
    done = run_node("customers_expanded", json.dumps(inputs), tmp_path)
    assert done.passed, done.output
    assert done.steps["get"]["body"]["link"]["id"] == world.link_id
    assert done.steps["update"]["body"]["name"] == "Uma"
    assert done.steps["sale"]["body"]["sale"]["amount"] == AED_CENTS
    assert world.sale_amounts() == [(AED_CENTS, "aed", 36725)]
    stored = fetch_sync(
        world.server.settings, "SELECT name FROM customers WHERE external_id = 'u1'"
    )
    assert stored == [{"name": "Uma"}]
