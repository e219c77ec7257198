"""POST /track/sale (spec §2): attribution, idempotent invoices, currencies, counters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import with_sale_amount
from tests.tracking.helpers import Json, Tracker, assert_error


async def customer_with_lead(track: Tracker, external: str = "u1") -> tuple[Json, str]:
    link = await track.link()
    click_id = await track.click(link)
    await track.lead(clickId=click_id, eventName="Sign up", customerExternalId=external)
    return link, click_id


async def test_a_sale_goes_to_the_link_of_the_customers_lead(track: Tracker) -> None:
    link, click_id = await customer_with_lead(track)
    answer = await track.sale(
        customerExternalId="u1", amount=4900, invoiceId="in_1", metadata={"plan": "pro"}
    )
    [customer] = await track.rows(
        "SELECT id, name, sales, sale_amount_high, sale_amount_low, first_sale_at FROM customers"
    )
    customer = with_sale_amount(customer)
    assert answer == {
        "eventName": "Purchase",
        "customer": {
            "id": customer["id"], "name": customer["name"], "email": None, "avatar": None,
            "externalId": "u1",
        },
        "sale": {
            "amount": 4900, "currency": "usd", "paymentProcessor": "custom", "invoiceId": "in_1",
            "metadata": {"plan": "pro"},
        },
    }  # fmt: skip
    [sale] = await track.rows("SELECT link_id, click_id, amount FROM sales")
    assert sale == {"link_id": link["id"], "click_id": click_id, "amount": 4900}
    counters = await track.counters(link)
    assert (counters["sales"], counters["sale_amount"], counters["conversions"]) == (1, 4900, 1)
    assert (customer["sales"], customer["sale_amount"]) == (1, 4900)
    assert customer["first_sale_at"] is not None


async def test_only_the_first_sale_of_a_customer_on_a_link_is_a_conversion(track: Tracker) -> None:
    link, _ = await customer_with_lead(track)
    await track.sale(customerExternalId="u1", amount=100)
    await track.sale(customerExternalId="u1", amount=250)
    counters = await track.counters(link)
    assert (counters["sales"], counters["sale_amount"], counters["conversions"]) == (2, 350, 1)


async def test_the_lead_named_by_lead_event_name_wins(track: Tracker) -> None:
    first = await track.link()
    second = await track.link()
    await track.lead(clickId=await track.click(first), eventName="Trial", customerExternalId="u1")
    await track.lead(clickId=await track.click(second), eventName="Demo", customerExternalId="u1")
    await track.sale(customerExternalId="u1", amount=100, leadEventName="Trial")
    await track.sale(customerExternalId="u1", amount=200)  # the latest lead: Demo
    assert (await track.counters(first))["sale_amount"] == 100
    assert (await track.counters(second))["sale_amount"] == 200
    missing = await track.post(
        "/track/sale", {"customerExternalId": "u1", "amount": 5, "leadEventName": "trial"}
    )
    message = "Lead event not found for externalId: u1 and leadEventName: trial"
    assert_error(missing, 404, "not_found", message)


async def test_an_invoice_is_recorded_once_and_answered_the_same(track: Tracker) -> None:
    link, _ = await customer_with_lead(track)
    first = await track.sale(customerExternalId="u1", amount=1000, invoiceId="in_9")
    repeat = await track.sale(customerExternalId="u1", amount=99_999, invoiceId="in_9")
    assert repeat == first
    assert (await track.counters(link))["sale_amount"] == 1000
    assert len(await track.rows("SELECT id FROM sales")) == 1


async def test_an_invoice_that_recorded_nothing_can_be_used_again(track: Tracker) -> None:
    link, _ = await customer_with_lead(track)
    zero = await track.sale(customerExternalId="u1", amount=0, invoiceId="in_2")
    assert zero == {"eventName": "Purchase", "customer": None, "sale": None}
    paid = await track.sale(customerExternalId="u1", amount=700, invoiceId="in_2")
    assert paid["sale"]["amount"] == 700
    assert (await track.counters(link))["sale_amount"] == 700


async def test_an_unknown_customer_without_a_click_records_nothing(track: Tracker) -> None:
    answer = await track.sale(customerExternalId="ghost", amount=500, eventName="Invoice paid")
    assert answer == {"eventName": "Invoice paid", "customer": None, "sale": None}
    assert await track.rows("SELECT id FROM customers") == []


async def test_direct_sale_tracking_creates_customer_and_lead(track: Tracker) -> None:
    link = await track.link()
    click_id = await track.click(link)
    answer = await track.sale(
        customerExternalId="new", amount=1200, clickId=click_id, customerName="Nia"
    )
    assert (answer["customer"]["name"], answer["sale"]["amount"]) == ("Nia", 1200)
    [lead] = await track.rows("SELECT event_name, click_id FROM leads")
    assert lead == {"event_name": "Direct sale tracking lead event", "click_id": click_id}
    counters = await track.counters(link)
    assert (counters["leads"], counters["sales"], counters["sale_amount"]) == (1, 1, 1200)


async def test_direct_sale_of_zero_still_records_customer_and_lead(track: Tracker) -> None:
    link = await track.link()
    click_id = await track.click(link)
    answer = await track.sale(customerExternalId="new", amount=0, clickId=click_id)
    assert answer["sale"] is None
    assert (await track.counters(link))["leads"] == 1


async def test_a_customer_without_a_link_gets_no_sale(track: Tracker) -> None:
    await track.post("/track/customer", {"customerId": "plain"})
    [customer] = await track.rows("SELECT id FROM customers")
    response = await track.post("/track/sale", {"customerExternalId": "plain", "amount": 5})
    assert_error(response, 404, "not_found", f"Link not found for customer {customer['id']}")


@pytest.mark.parametrize(
    ("amount", "currency", "usd_cents"),
    [(1580, "JPY", 1003), (1580, "jpy", 1003), (1000, "EUR", 1136), (1000, "usd", 1000)],
)
async def test_money_is_converted_to_usd_cents(
    track: Tracker, amount: int, currency: str, usd_cents: int
) -> None:
    await customer_with_lead(track)
    answer = await track.sale(customerExternalId="u1", amount=amount, currency=currency)
    assert (answer["sale"]["amount"], answer["sale"]["currency"]) == (usd_cents, "usd")
    [sale] = await track.rows(
        "SELECT amount, currency, original_amount, original_currency, fx_rate FROM sales"
    )
    assert (sale["amount"], sale["original_amount"]) == (usd_cents, amount)
    assert sale["original_currency"] == currency.lower()
    assert float(sale["fx_rate"]) > 0


@pytest.mark.parametrize(
    ("currency", "message"),
    [
        ("xyz", "custom: currency: Unknown currency code 'xyz': use an ISO 4217 code such as "
                "usd, eur or jpy"),
        ("dollars", "custom: currency: Unknown currency code 'dollars': use an ISO 4217 code "
                    "such as usd, eur or jpy"),
    ],
)  # fmt: skip
async def test_unknown_currencies_are_refused(track: Tracker, currency: str, message: str) -> None:
    await customer_with_lead(track)
    response = await track.post(
        "/track/sale", {"customerExternalId": "u1", "amount": 5, "currency": currency}
    )
    assert_error(response, 422, "unprocessable_entity", message)


async def test_a_currency_without_a_rate_is_refused_and_writes_nothing(track: Tracker) -> None:
    link, _ = await customer_with_lead(track)
    body = {"customerExternalId": "u1", "amount": 5, "currency": "XTS", "invoiceId": "in_3"}
    response = await track.post("/track/sale", body)
    assert response.status_code == 422  # XTS: ISO 4217's code for testing, never quoted
    assert "No exchange rate is known for XTS" in response.json()["error"]["message"]
    assert await track.rows("SELECT invoice_id FROM sale_invoices") == []
    assert (await track.counters(link))["sales"] == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"amount": 5}, 400, "customerExternalId is required"),
        ({"customerExternalId": "u1"}, 422, "invalid_type: amount: amount is required"),
        ({"customerExternalId": "u1", "amount": "5"}, 422,
         "invalid_type: amount: amount is required"),
        ({"customerExternalId": "u1", "amount": 1.5}, 422,
         "invalid_type: amount: amount is required"),
        ({"customerExternalId": "u1", "amount": -1}, 422,
         "too_small: amount: amount cannot be negative"),
        ({"customerExternalId": "u1", "amount": 1, "paymentProcessor": "cash"}, 422,
         'invalid_value: paymentProcessor: Invalid option: expected one of "stripe"|"shopify"|'
         '"polar"|"paddle"|"apple"|"revenuecat"|"dub"|"lemonsqueezy"|"custom"'),
    ],
)  # fmt: skip
async def test_invalid_sale_bodies(
    track: Tracker, body: dict[str, Any], status: int, message: str
) -> None:
    response = await track.post("/track/sale", body)
    code = "bad_request" if status == 400 else "unprocessable_entity"
    assert_error(response, status, code, message)


async def test_older_bodies_with_customer_id_and_payment_processor(track: Tracker) -> None:
    await customer_with_lead(track)
    answer = await track.sale(customerId="u1", amount=300, paymentProcessor="stripe")
    assert answer["sale"]["paymentProcessor"] == "stripe"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"customerExternalId": "u" * 256, "amount": 5},
         "too_big: customerExternalId: Too big: expected string to have <=255 characters"),
        ({"customerExternalId": "u1", "amount": 5, "invoiceId": "i" * 256},
         "too_big: invoiceId: Too big: expected string to have <=255 characters"),
        ({"customerExternalId": "u1", "amount": 2**53},
         "too_big: amount: Too big: expected number to be <=9007199254740991"),
    ],
)  # fmt: skip
async def test_values_too_large_to_store_are_refused(
    track: Tracker, body: dict[str, Any], message: str
) -> None:
    assert_error(await track.post("/track/sale", body), 422, "unprocessable_entity", message)


async def test_the_older_customer_then_lead_then_sale_flow(track: Tracker) -> None:
    """SDKs before 2024-12 could create the customer first; its first lead places it."""
    await track.post("/track/customer", {"customerId": "early", "customerName": "Eve"})
    link = await track.link()
    click_id = await track.click(link)
    await track.lead(clickId=click_id, eventName="Sign up", customerId="early")
    answer = await track.sale(customerId="early", amount=900)
    assert (answer["customer"]["name"], answer["sale"]["amount"]) == ("Eve", 900)
    assert (await track.counters(link))["sale_amount"] == 900
