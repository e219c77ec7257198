"""POST /track/customer, the older upsert (spec §3.2)."""

from __future__ import annotations

from tests.tracking.helpers import Tracker, assert_error


async def test_upsert_creates_then_updates(track: Tracker) -> None:
    created = await track.post(
        "/track/customer", {"customerId": "c1", "customerName": "Ann", "customerEmail": "a@b.co"}
    )
    assert created.json() == {
        "customerId": "c1", "customerName": "Ann", "customerEmail": "a@b.co",
        "customerAvatar": None,
    }  # fmt: skip
    updated = await track.post("/track/customer", {"customerId": "c1", "customerEmail": "n@b.co"})
    assert updated.json()["customerName"] == "n@b.co"  # name || email || random, as Dub
    rows = await track.rows("SELECT external_id, name, email FROM customers")
    assert rows == [{"external_id": "c1", "name": "n@b.co", "email": "n@b.co"}]
    renamed = await track.post("/track/customer", {"customerId": "c1", "customerName": "Bea"})
    assert (renamed.json()["customerName"], renamed.json()["customerEmail"]) == ("Bea", "n@b.co")


async def test_customer_id_is_required(track: Tracker) -> None:
    response = await track.post("/track/customer", {"customerName": "Ann"})
    message = "invalid_type: customerId: Invalid input: expected string, received undefined"
    assert_error(response, 422, "unprocessable_entity", message)
