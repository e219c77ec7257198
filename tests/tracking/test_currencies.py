"""Sales in the currencies the bundled snapshot added (issue 15) convert to US cents with its
rates of 2026-09-29 (fawazahmed0/currency-api): worked by hand, one dollar amount each."""

from __future__ import annotations

import pytest

from tests.tracking.helpers import Tracker
from tests.tracking.test_sale import customer_with_lead

# (amount in the minor units Dub expects, currency, US cents): the snapshot's units per USD are
# AED 3.6725, SAR 3.75, ARS 1525.02726539, CLP 967.7346811, VND 25947.76804973,
# NGN 1326.1643995 and KWD 0.30871186.
WORKED = [
    (36725, "AED", 10000),  # 367.25 dirham / 3.6725 = 100 dollars
    (37500, "sar", 10000),  # 375 riyal / 3.75
    (152502727, "ARS", 100000),  # 1,525,027.27 pesos / 1525.027... = 1000.0000002 dollars
    (96773, "CLP", 10000),  # zero-decimal: 96,773 pesos / 967.73... = 99.99962 dollars
    (2594777, "VND", 10000),  # zero-decimal: 2,594,777 dong / 25947.77 = 100.0000073 dollars
    (13261644, "NGN", 10000),  # 132,616.44 naira / 1326.16... = 100.0000003 dollars
    (3087, "KWD", 10000),  # read as hundredths, as Dub reads them: 30.87 / 0.3087... = 99.996
]


@pytest.mark.parametrize(("amount", "currency", "usd_cents"), WORKED)
async def test_newly_covered_currencies_convert(
    track: Tracker, amount: int, currency: str, usd_cents: int
) -> None:
    await customer_with_lead(track)
    answer = await track.sale(customerExternalId="u1", amount=amount, currency=currency)
    assert (answer["sale"]["amount"], answer["sale"]["currency"]) == (usd_cents, "usd")
    [sale] = await track.rows("SELECT amount, original_amount, original_currency FROM sales")
    assert (sale["amount"], sale["original_amount"]) == (usd_cents, amount)
    assert sale["original_currency"] == currency.lower()


@pytest.mark.parametrize("currency", ["btc", "eth", "bgn", "zwl"])
async def test_codes_outside_iso_4217_are_still_refused(track: Tracker, currency: str) -> None:
    """The source lists crypto-assets and retired codes too (BGN left ISO 4217 when Bulgaria
    took the euro, ZWL was replaced by ZWG); none of them is a currency a sale may name."""
    await customer_with_lead(track)
    body = {"customerExternalId": "u1", "amount": 5, "currency": currency}
    response = await track.post("/track/sale", body)
    assert response.status_code == 422
    assert f"Unknown currency code '{currency}'" in response.json()["error"]["message"]
    assert await track.rows("SELECT id FROM sales") == []


async def test_a_metal_sale_past_what_totals_hold_is_refused(track: Tracker) -> None:
    """Gold's rate (0.00024 ounces a dollar) is the first bundled rate below 0.125: the largest
    amount is then more US cents than one sale may add to a total (storage/totals.py)."""
    await customer_with_lead(track)
    body = {"customerExternalId": "u1", "amount": 2**53 - 1, "currency": "xau", "invoiceId": "i"}
    response = await track.post("/track/sale", body)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(
        "too_big: amount: 9007199254740991 XAU is "
    )
    assert await track.rows("SELECT id FROM sales") == []
    assert await track.rows("SELECT invoice_id FROM sale_invoices") == []
