"""Every tested generation of Dub's npm SDK, unmodified, reads every answer of one live server:
links, track (lead, duplicate, sale, repeated invoice, JPY, unknown customer), customers, events
and analytics (tour.test.mjs). Answers are shaped for the generation its User-Agent announces
(clicktrail.api.generations); the SDK's own validation must accept each, and what it reports
must be what the database holds. README "SDK generations" names the SDK defects excepted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from clicktrail.api.generations.middleware import BY_COUNTRY
from clicktrail.api.generations.shapes import COUNTRY_CODE
from tests.contract.ledger import EVENT_KINDS, GROUPINGS, PACE, Call, Grouping, Ledger
from tests.contract.sdk_clients import NODE_PROJECT, REPORT_VARIABLE, ROOT, TIMEOUT
from tests.contract.sdk_scripts.harness import INPUTS_VARIABLE, Outcome
from tests.contract.traffic import Traffic, call, visit

# The groupBys every tested generation offers (0.33.1 has no others)
GROUP_BYS = ("count", "timeseries", "countries", "cities", "devices", "browsers", "os",
             "referers", "top_links", "top_urls")  # fmt: skip
CALLS = [Call(kind) for kind in EVENT_KINDS] + [
    Call(event, group_by) for event in EVENT_KINDS for group_by in GROUP_BYS
]


@dataclass(frozen=True)
class Generation:
    sdk: str  # "npm" or "pypi"
    version: str
    customer_field: str  # how its /track requests name the customer
    flat: bool = False  # reads the mid-2024 flat track answers
    nullable_sale: bool = True  # reads `customer: null, sale: null`; else Dub's 404 of then
    has_events: bool = True  # events.list exists
    has_customers: bool = True  # customers.list and .get exist
    whole_counts: bool = True  # analytics keeps every measure (0.33.1 keeps only clicks)
    country_codes_only: bool = False  # analytics `country` is an enum of ISO codes
    sale_details: bool = True  # its /events sale model has `sale.currency` and `metadata`
    external_ids: bool = True  # its /events customer model has `externalId`

    @property
    def name(self) -> str:
        return f"{self.sdk}-dub-{self.version}"

    @property
    def installed(self) -> Path:
        """The npm module that loads this generation, or the Python that has it."""
        if self.sdk == "pypi":
            if self.version == PYTHON_CURRENT:
                return Path(sys.executable)
            return ROOT / ".venv-sdk" / f"dub-{self.version}" / "bin" / "python"
        if self.version == NPM_CURRENT:
            return NODE_PROJECT / "sdk.mjs"
        return NODE_PROJECT / "generations" / f"dub-{self.version}" / "sdk.mjs"

    def command(self) -> list[str]:
        if self.sdk == "pypi":
            return [str(self.installed), "-m", "tests.contract.sdk_scripts.tour"]
        return ["node", "--test", "--test-reporter=spec", str(NODE_PROJECT / "tour.test.mjs")]


NPM_CURRENT = json.loads((NODE_PROJECT / "package.json").read_text())["dependencies"]["dub"]
PYTHON_CURRENT = "0.39.0"
GENERATIONS = [
    Generation("npm", "0.33.1", "customerId", flat=True, nullable_sale=False, has_events=False,
               has_customers=False, whole_counts=False, country_codes_only=True),
    Generation("npm", "0.46.7", "externalId", nullable_sale=False, country_codes_only=True,
               sale_details=False),
    Generation("npm", "0.64.1", "customerExternalId", sale_details=False),
    Generation("npm", NPM_CURRENT, "customerExternalId"),
    Generation("pypi", "0.14.0", "customer_id", nullable_sale=False, has_customers=False,
               country_codes_only=True, sale_details=False, external_ids=False),
    Generation("pypi", "0.16.1", "external_id", nullable_sale=False, country_codes_only=True,
               sale_details=False),
    Generation("pypi", PYTHON_CURRENT, "customer_external_id"),
]  # fmt: skip


@dataclass(frozen=True)
class Tour:
    generation: Generation
    steps: dict[str, Outcome]
    click_id: str
    customer: str
    invoice: str
    output: str

    def accepted(self, name: str) -> Any:
        outcome = self.steps.get(name)
        assert outcome is not None, f"{name} did not run:\n{self.output}"
        assert "error" not in outcome, f"{self.generation.version} {name}: {outcome}"
        return outcome["body"]


@pytest.fixture(scope="module", params=GENERATIONS, ids=lambda g: g.name)
def tour(
    request: pytest.FixtureRequest,
    traffic: Traffic,
    ledger: Ledger,  # read before any tour writes to the database (in workspaces of their own)
    tmp_path_factory: pytest.TempPathFactory,
) -> Tour:
    generation: Generation = request.param
    if not generation.installed.exists() or not generation.installed.parent.exists():
        pytest.fail(f"{generation.installed} is missing: `make sdks` installs {generation.name}")
    server = traffic.server
    slug = f"tour{generation.sdk}{generation.version.replace('.', '')}"
    writer = server.tenant(slug)
    tracked = {"url": "https://example.com/t", "trackConversion": True}
    link = call(server, writer, "POST", "/links", tracked)
    click_id = visit(server, link["key"], 1)
    customer, invoice = f"tour-{generation.name}", f"in_{slug}"
    inputs = {
        "base_url": server.url, "api_key": traffic.tenant.key, "writer_key": writer.key,
        "customer_field": generation.customer_field, "customers": [customer, "nobody"],
        "click_id": click_id, "invoice": invoice, "pace_ms": PACE * 1000,
        "calls": [c.node() for c in CALLS],
    }  # fmt: skip
    report = tmp_path_factory.mktemp("tour") / "report.json"
    env = os.environ | {
        INPUTS_VARIABLE: json.dumps(inputs), REPORT_VARIABLE: str(report),
        "SDK_MODULE": str(generation.installed),
    }  # fmt: skip
    done = subprocess.run(
        generation.command(), cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=TIMEOUT, check=False,
    )  # fmt: skip
    if generation.sdk == "pypi":
        assert done.returncode == 0, done.stderr
        steps = json.loads(done.stdout)
    else:
        steps = json.loads(report.read_text()) if report.exists() else {}
    return Tour(generation, steps, click_id, customer, invoice, done.stdout + done.stderr)


def test_links_are_read_with_an_owner(tour: Tour) -> None:
    created = tour.accepted("links.create")
    assert created["userId"].startswith("user_")
    assert tour.accepted("links.get")["userId"] == created["userId"]
    listed = [link["id"] for link in tour.accepted("links.list")]
    assert created["id"] in listed
    assert tour.accepted("links.count") == len(listed) == 2  # and the tracked link
    assert tour.accepted("links.update")["title"] == "Tour"
    assert tour.accepted("links.delete")["id"] == created["id"]


def test_leads_are_read_in_the_generations_shape(tour: Tour) -> None:
    lead, duplicate = tour.accepted("track.lead"), tour.accepted("track.duplicate_lead")
    if tour.generation.flat:
        assert lead == {
            "clickId": tour.click_id, "eventName": "Sign up", "customerId": tour.customer,
            "customerName": lead["customerName"], "customerEmail": None, "customerAvatar": None,
            "metadata": {"via": "tour"},
        }  # fmt: skip
        assert len(lead["customerName"].split()) == 3  # generated, as Dub names them
    else:
        assert lead["click"] == {"id": tour.click_id}
        assert lead["customer"].get("externalId", tour.customer) == tour.customer  # 0.14: none
    assert duplicate == lead if tour.generation.flat else duplicate["customer"] == lead["customer"]


def test_sales_are_read_in_the_generations_shape(tour: Tour) -> None:
    sale, jpy = tour.accepted("track.sale"), tour.accepted("track.jpy_sale")
    assert tour.accepted("track.repeated_invoice") == sale
    if tour.generation.flat:
        assert sale == {
            "eventName": "Purchase", "customerId": tour.customer, "amount": 4999,
            "paymentProcessor": "stripe", "invoiceId": tour.invoice,
            "currency": "usd", "metadata": {},
        }  # fmt: skip
        assert (jpy["currency"], abs(jpy["amount"] - 1000) <= 100) == ("usd", True)
    else:
        assert (sale["sale"]["amount"], sale["sale"]["currency"]) == (4999, "usd")
        assert sale["customer"].get("externalId", tour.customer) == tour.customer
        assert (jpy["sale"]["currency"], abs(jpy["sale"]["amount"] - 1000) <= 100) == ("usd", True)


def test_a_sale_for_an_unknown_customer(tour: Tour) -> None:
    outcome = tour.steps["track.unknown_customer"]
    if tour.generation.nullable_sale:
        assert tour.accepted("track.unknown_customer") == {
            "eventName": "Purchase", "customer": None, "sale": None
        }  # fmt: skip
    else:  # Dub's answer of the time: 404, the SDK's typed NotFound
        assert outcome["error"] == "NotFound", outcome
        assert outcome["body"]["error"]["message"] == "Customer not found for externalId: nobody"


def test_customers_are_read(tour: Tour) -> None:
    if not tour.generation.has_customers:
        pytest.skip("no customers API in this generation")
    customers = tour.accepted("customers.list")
    assert customers, "the traffic has customers"
    assert tour.accepted("customers.get")["id"] == customers[0]["id"]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
def test_events_and_analytics_are_what_the_database_holds(
    tour: Tour, ledger: Ledger, call: Call
) -> None:
    if call.group_by is None and not tour.generation.has_events:
        pytest.skip("no events API in this generation")
    answer = tour.accepted(call.name)
    if call.group_by is not None and not tour.generation.whole_counts:
        return  # accepted; the SDK keeps only `clicks` of each row (README, "SDK generations")
    if call.group_by in BY_COUNTRY and tour.generation.country_codes_only:
        # the rows of visits from an unknown place are left out for it (its model has no value
        # for them), and its rows have no `region`: what remains must be right
        known = Ledger([e for e in ledger.events if COUNTRY_CODE.fullmatch(e.click["country"])])
        known.check_grouped(call.event, without_region(GROUPINGS[call.group_by]), answer)
        return
    if call.group_by is None:
        answer, ledger = unmodelled_left_out(tour.generation, call, answer, ledger)
    ledger.check(call, answer)


def unmodelled_left_out(
    generation: Generation, call: Call, answer: list[dict[str, Any]], ledger: Ledger
) -> tuple[list[dict[str, Any]], Ledger]:
    """The SDK drops what its model lacks: compare the rest."""
    unknown: dict[str, Any] = {}
    if call.event == "sales" and not generation.sale_details:
        unknown |= {"currency": None, "metadata": None}
        answer = [event | {"sale": event["sale"] | unknown, "metadata": None} for event in answer]
    if call.event != "clicks" and not generation.external_ids:
        unknown |= {"customer": None}
        answer = [e | {"customer": e["customer"] | {"externalId": None}} for e in answer]
    return answer, Ledger([replace(e, shown=e.shown | unknown) for e in ledger.events])


def without_region(grouping: Grouping) -> Grouping:
    kept = [n for n, name in enumerate(grouping.fields) if name != "region"]

    def of(click: dict[str, Any]) -> tuple[str, ...] | None:
        values = grouping.of(click)
        return None if values is None else tuple(values[n] for n in kept)

    return Grouping(tuple(grouping.fields[n] for n in kept), of)


def test_unknown_places_are_what_is_left_out(tour: Tour, ledger: Ledger) -> None:
    """The one place the traffic does not know is what the ISO-code generations miss."""
    if not tour.generation.country_codes_only:
        pytest.skip("reads every country")
    countries = {e.click["country"] for e in ledger.events}
    assert {c for c in countries if not COUNTRY_CODE.fullmatch(c)} == {"Unknown"}
