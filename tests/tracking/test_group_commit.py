"""Concurrent leads and sales share one transaction on SQLite (storage/batches.py); a bad,
duplicate or conflicting one among them gets its own answer and costs the others nothing."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import event

from clicktrail.app import Root
from tests.tracking.helpers import Json, Tracker, assert_error

GOOD_LEADS = 6
GOOD_SALES = 4


def count_commits(app: Root) -> list[int]:
    commits = [0]

    @event.listens_for(app.api.state.runtime.db.writer.sync_engine, "commit")
    def _counted(_conn: object) -> None:
        commits[0] += 1

    return commits


def lead(click_id: str, external: str, event_name: str = "Sign up") -> tuple[str, Json]:
    body = {"clickId": click_id, "eventName": event_name, "customerExternalId": external}
    return "/track/lead", body


def sale(invoice: str, **more: object) -> tuple[str, Json]:
    return "/track/sale", {"customerExternalId": "buyer", "amount": 1200, "invoiceId": invoice,
                           **more}  # fmt: skip


async def test_a_bad_conversion_fails_alone_in_its_batch(track: Tracker, app: Root) -> None:
    link = await track.link()
    click_id = await track.click(link)
    first_lead = await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="buyer")
    first_sale = await track.post("/track/sale", sale("in_first")[1])
    assert first_sale.status_code == 200
    calls = [lead(click_id, f"new-{n}") for n in range(GOOD_LEADS)]
    calls += [sale(f"in_{n}") for n in range(GOOD_SALES)]
    calls.insert(2, lead("nosuchclick00000", "stranger"))  # bad data: no such click
    calls.insert(4, lead(click_id, "buyer", "sign-up"))  # a duplicate of the first lead
    calls.insert(6, sale("in_first"))  # an invoice already recorded
    calls.insert(8, sale("in_xts", currency="XTS"))  # no exchange rate (ISO 4217's testing code)
    commits = count_commits(app)
    answers = await asyncio.gather(*(track.post(path, body) for path, body in calls))
    if app.api.state.runtime.db.is_sqlite:  # PostgreSQL keeps a transaction per call
        assert commits[0] < len(calls)
    bad, duplicate, repeat, refused = answers[2], answers[4], answers[6], answers[8]
    assert_error(bad, 404, "not_found", "Click event not found for clickId: nosuchclick00000")
    assert duplicate.status_code == 200
    assert duplicate.json() == {**first_lead, "link": None}
    assert repeat.status_code == 200
    assert repeat.content == first_sale.content  # byte for byte the first answer
    assert refused.status_code == 422
    good = [a for n, a in enumerate(answers) if n not in {2, 4, 6, 8}]
    assert [a.status_code for a in good] == [200] * (GOOD_LEADS + GOOD_SALES)
    assert all(a.json()["link"]["id"] == link["id"] for a in good[:GOOD_LEADS])
    assert all(a.json()["sale"]["amount"] == 1200 for a in good[GOOD_LEADS:])
    await assert_stored(track)


async def assert_stored(track: Tracker) -> None:
    assert len(await track.rows("SELECT id FROM leads")) == 1 + GOOD_LEADS
    assert len(await track.rows("SELECT id FROM sales")) == 1 + GOOD_SALES
    assert await track.rows("SELECT id FROM customers WHERE external_id = 'stranger'") == []
    invoices = await track.rows("SELECT invoice_id FROM sale_invoices ORDER BY invoice_id")
    assert [r["invoice_id"] for r in invoices] == sorted(
        ["in_first", *(f"in_{n}" for n in range(GOOD_SALES))]
    )


async def test_concurrent_repeats_of_one_new_invoice_get_one_answer(
    track: Tracker, client: httpx.AsyncClient
) -> None:
    link = await track.link()
    await track.lead(clickId=await track.click(link), eventName="Sign up",
                     customerExternalId="buyer")  # fmt: skip
    path, body = sale("in_twice")
    answers = await asyncio.gather(*(track.post(path, body) for _ in range(5)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert len(await track.rows("SELECT id FROM sales")) == 1
