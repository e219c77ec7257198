"""POST /track/lead (spec §1), with leads stored in the same transaction as their dedup mark."""

from __future__ import annotations

import re

import pytest

from tests.support import Tenant
from tests.tracking.helpers import Tracker, assert_error

NO_CLICK = (
    "The `clickId` property was not provided in the request, and no existing customer with the "
    "provided `customerExternalId` was found."
)


async def test_a_lead_binds_the_customer_to_the_click(track: Tracker) -> None:
    link = await track.link(key="spring", externalId="camp")
    click_id = await track.click(link)
    answer = await track.lead(
        clickId=click_id, eventName="Sign up", customerExternalId="u1", customerEmail="a@b.co"
    )
    customer = answer["customer"]
    assert answer == {
        "click": {"id": click_id},
        "link": {
            "id": link["id"], "domain": "localhost:8000", "key": "spring",
            "shortLink": "http://localhost:8000/spring", "url": link["url"], "partnerId": None,
            "programId": None, "tenantId": None, "externalId": "camp",
        },
        "customer": {
            "id": customer["id"], "name": "a@b.co", "email": "a@b.co", "avatar": None,
            "externalId": "u1",
        },
    }  # fmt: skip
    assert re.fullmatch(r"cus_[0-9A-Z]{25,26}", customer["id"])
    [lead] = await track.rows("SELECT * FROM leads")
    assert (lead["click_id"], lead["link_id"], lead["event_name"]) == (
        click_id, link["id"], "Sign up"
    )  # fmt: skip
    [stored] = await track.rows("SELECT click_id, link_id FROM customers")
    assert stored == {"click_id": click_id, "link_id": link["id"]}
    assert (await track.counters(link))["leads"] == 1


async def test_a_customer_without_name_or_email_gets_a_made_up_name(track: Tracker) -> None:
    click_id = await track.click(await track.link())
    answer = await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+", answer["customer"]["name"])


@pytest.mark.parametrize("again", ["Sign up", "sign-up", "SIGN UP"])
async def test_a_repeat_is_a_duplicate_that_records_nothing(track: Tracker, again: str) -> None:
    link = await track.link()
    click_id = await track.click(link)
    first = await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    repeat = await track.lead(clickId=click_id, eventName=again, customerExternalId="u1")
    assert repeat == {**first, "link": None}
    assert len(await track.rows("SELECT id FROM leads")) == 1
    assert (await track.counters(link))["leads"] == 1


async def test_another_event_of_the_same_customer_is_another_lead(track: Tracker) -> None:
    link = await track.link()
    click_id = await track.click(link)
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
    await track.lead(clickId=click_id, eventName="Trial started", customerExternalId="u1")
    assert (await track.counters(link))["leads"] == 2


async def test_event_quantity_writes_that_many_leads(track: Tracker) -> None:
    link = await track.link()
    click_id = await track.click(link)
    await track.lead(clickId=click_id, eventName="Seat", customerExternalId="u1", eventQuantity=3)
    rows = await track.rows("SELECT id FROM leads")
    assert len({row["id"] for row in rows}) == 3
    assert (await track.counters(link))["leads"] == 3


async def test_deferred_then_completed_without_a_click_id(track: Tracker) -> None:
    link = await track.link()
    click_id = await track.click(link)
    deferred = await track.lead(
        clickId=click_id, eventName="Sign up", customerExternalId="u1", mode="deferred"
    )
    assert deferred["link"]["id"] == link["id"]
    assert await track.rows("SELECT id FROM leads") == []
    assert len(await track.rows("SELECT id FROM customers")) == 1
    done = await track.lead(eventName="Sign up", customerExternalId="u1")
    assert done["click"] == {"id": click_id}
    assert (await track.counters(link))["leads"] == 1


async def test_no_click_id_and_no_customer(track: Tracker) -> None:
    response = await track.post("/track/lead", {"eventName": "x", "customerExternalId": "u1"})
    assert_error(response, 400, "bad_request", NO_CLICK)


@pytest.mark.parametrize(
    "ids",
    [{}, {"customerExternalId": ""}, {"externalId": "", "customerId": None}],
)
async def test_the_customer_is_required(track: Tracker, ids: dict[str, object]) -> None:
    response = await track.post("/track/lead", {"clickId": "x", "eventName": "x", **ids})
    assert_error(response, 400, "bad_request", "customerExternalId is required")


@pytest.mark.parametrize(
    "ids",
    [
        {"customerExternalId": "u1"},
        {"externalId": "u1"},
        {"customerId": "u1"},
        {"externalId": "", "customerId": "u1"},  # what SDKs 0.14.1-0.16.1 send
        {"customerExternalId": " u1 "},
    ],
)
async def test_every_alias_names_the_customer(track: Tracker, ids: dict[str, object]) -> None:
    click_id = await track.click(await track.link())
    answer = await track.lead(clickId=click_id, eventName="Sign up", **ids)
    assert answer["customer"]["externalId"] == "u1"


async def test_unknown_click(track: Tracker) -> None:
    response = await track.post(
        "/track/lead", {"clickId": "nope", "eventName": "x", "customerExternalId": "u1"}
    )
    assert_error(response, 404, "not_found", "Click event not found for clickId: nope")


async def test_a_failed_lead_leaves_no_mark_behind(track: Tracker) -> None:
    """Dub would answer the retry as a duplicate for 7 days; we record it (DESIGN.md)."""
    body = {"eventName": "Sign up", "customerExternalId": "u1"}
    failed = await track.post("/track/lead", {**body, "clickId": "doesnotexist1234"})
    assert failed.status_code == 404
    click_id = await track.click(await track.link())
    retried = await track.lead(**body, clickId=click_id)
    assert retried["link"] is not None
    assert len(await track.rows("SELECT id FROM leads")) == 1


async def test_a_disabled_link_records_no_lead(track: Tracker) -> None:
    link = await track.link()
    click_id = await track.click(link)
    await track.client.patch(
        f"/links/{link['id']}", json={"disabled": True}, headers=track.tenant.auth
    )
    response = await track.post(
        "/track/lead", {"clickId": click_id, "eventName": "x", "customerExternalId": "u1"}
    )
    message = f"Link {link['id']} for clickId {click_id} is disabled, lead not tracked"
    assert_error(response, 404, "not_found", message)
    assert await track.rows("SELECT event_name FROM lead_marks") == []


async def test_another_workspaces_click_does_not_exist(
    track: Tracker, other_tenant: Tenant
) -> None:
    click_id = await track.click(await track.link())
    body = {"clickId": click_id, "eventName": "x", "customerExternalId": "u1"}
    response = await track.post("/track/lead", body, tenant=other_tenant)
    assert_error(response, 404, "not_found", f"Click event not found for clickId: {click_id}")


async def test_an_existing_customer_is_never_changed(track: Tracker) -> None:
    click_id = await track.click(await track.link())
    await track.lead(clickId=click_id, eventName="a", customerExternalId="u1", customerName="Ann")
    later = await track.lead(
        clickId=click_id, eventName="b", customerExternalId="u1", customerName="Bob"
    )
    assert later["customer"]["name"] == "Ann"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"clickId": "x", "customerExternalId": "u"},
         "invalid_type: eventName: Invalid input: expected string, received undefined"),
        ({"clickId": "x", "eventName": " ", "customerExternalId": "u"},
         "too_small: eventName: eventName is required"),
        ({"clickId": "x", "eventName": "e" * 256, "customerExternalId": "u"},
         "too_big: eventName: Too big: expected string to have <=255 characters"),
        ({"clickId": "x", "eventName": "e", "customerExternalId": "u", "eventQuantity": 101},
         "too_big: eventQuantity: Too big: expected number to be <=100"),
        ({"clickId": "x", "eventName": "e", "customerExternalId": "u", "mode": "later"},
         'invalid_value: mode: Invalid option: expected one of "async"|"wait"|"deferred"'),
        ({"clickId": "x", "eventName": "e", "customerExternalId": "u", "customerEmail": "no"},
         "invalid_format: customerEmail: Invalid email address"),
        ({"clickId": "x", "eventName": "e", "customerExternalId": "u",
          "metadata": {"k": "v" * 10_000}},
         "custom: metadata: Metadata must be less than 10,000 characters when stringified"),
    ],
)  # fmt: skip
async def test_invalid_bodies(track: Tracker, body: dict[str, object], message: str) -> None:
    assert_error(await track.post("/track/lead", body), 422, "unprocessable_entity", message)
