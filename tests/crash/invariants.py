"""What must hold in the database whatever moment a crash chose: every acknowledged click,
lead and sale stored exactly once, and nothing half-written, so that every counter equals
the folded rows it counts (each event is folded once, or not yet), every claim has its row,
every row its outbox event, and the rollups equal a rebuild from the folded events. Read
directly, beside the server, as an operator would."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail.analytics.rebuild import rebuild
from clicktrail.config import Settings
from clicktrail.storage import totals
from clicktrail.storage.urls import async_url
from tests.crash.journeys import LEAD_EVENT, Journey, Ledger, expected
from tests.support import PENDING_WORK, fetch, with_sale_amount

Json = dict[str, Any]

# Totals and their recounts in the parts of storage/totals.py: a plain sum of the amounts
# could overflow on SQLite.
LINK_ROWS = """
SELECT l.key, l.clicks, l.leads, l.sales, l.sale_amount_high, l.sale_amount_low, l.conversions,
       (SELECT count(*) FROM clicks c WHERE c.link_id = l.id AND c.folded) AS click_rows,
       (SELECT count(*) FROM leads e WHERE e.link_id = l.id AND e.folded) AS lead_rows,
       (SELECT count(*) FROM sales s WHERE s.link_id = l.id AND s.folded) AS sale_rows,
       (SELECT coalesce(sum(s.amount >> 28), 0) FROM sales s WHERE s.link_id = l.id
          AND s.folded) AS amount_high,
       (SELECT coalesce(sum(s.amount & 268435455), 0) FROM sales s WHERE s.link_id = l.id
          AND s.folded) AS amount_low,
       (SELECT count(DISTINCT s.customer_id) FROM sales s WHERE s.link_id = l.id
          AND s.folded) AS buyers
FROM links l ORDER BY l.key
"""
CUSTOMER_ROWS = """
SELECT c.external_id, c.sales, c.sale_amount_high, c.sale_amount_low,
       c.first_sale_at IS NOT NULL AS has_sold,
       (SELECT count(*) FROM leads e WHERE e.customer_id = c.id) AS lead_rows,
       (SELECT count(*) FROM sales s WHERE s.customer_id = c.id AND s.folded) AS sale_rows,
       (SELECT coalesce(sum(s.amount >> 28), 0) FROM sales s WHERE s.customer_id = c.id
          AND s.folded) AS amount_high,
       (SELECT coalesce(sum(s.amount & 268435455), 0) FROM sales s WHERE s.customer_id = c.id
          AND s.folded) AS amount_low
FROM customers c
"""
SALES = """
SELECT s.invoice_id, s.amount, c.external_id FROM sales s JOIN customers c ON c.id = s.customer_id
"""
LEADS = "SELECT c.external_id FROM leads e JOIN customers c ON c.id = e.customer_id"
ROLLUPS = (
    "SELECT workspace_id, link_id, dim, grain, bucket, value, clicks, leads, sales, "
    "sale_amount_high, sale_amount_low "
    "FROM rollups ORDER BY workspace_id, link_id, dim, grain, bucket, value"
)


async def assert_acknowledged_stored(settings: Settings, ledger: Ledger) -> None:
    """Every click, lead and sale the server answered is stored, once, as it was sent."""
    clicks = {row["id"] for row in await fetch(settings, "SELECT id FROM clicks")}
    assert ledger.clicks - clicks == set()
    leads = Counter(row["external_id"] for row in await fetch(settings, LEADS))
    assert {ext: leads[ext] for ext in ledger.leads} == dict.fromkeys(ledger.leads, 1)
    sales: dict[str, list[tuple[int, str]]] = {}
    for row in await fetch(settings, SALES):
        sales.setdefault(row["invoice_id"], []).append((row["amount"], row["external_id"]))
    acknowledged = {
        invoice: [(answer["sale"]["amount"], answer["customer"]["externalId"])]
        for invoice, answer in ledger.sales.items()
    }
    assert {invoice: sales.get(invoice) for invoice in ledger.sales} == acknowledged


async def assert_consistent(settings: Settings) -> None:
    """Nothing half-written anywhere in the database."""
    await _link_counters(settings)
    await _customer_totals(settings)
    await _claims(settings)
    await _outbox(settings)
    await _rollups(settings)


async def assert_folded_exactly(settings: Settings) -> None:
    """Link counters, customer totals and rollups count each folded event exactly once."""
    await _link_counters(settings)
    await _customer_totals(settings)
    await _rollups(settings)


async def assert_totals(settings: Settings, journeys: list[Journey]) -> None:
    """Once every journey is done, each link holds exactly what its journeys sent, and the
    folder has written rollups for them."""
    assert await fetch(settings, ROLLUPS)
    rows = await _totalled(settings, LINK_ROWS)
    found = {f"/{r['key']}": (r["clicks"], r["leads"], r["sales"], r["sale_amount"]) for r in rows}
    assert found == expected(journeys)


async def link_rows(settings: Settings) -> dict[str, Json]:
    """Each link's stored rows, by key, in the shape of the links API's counters."""
    return {
        row["key"]: {
            "clicks": row["click_rows"],
            "leads": row["lead_rows"],
            "sales": row["sale_rows"],
            "saleAmount": row["amount_rows"],
        }
        for row in await _totalled(settings, LINK_ROWS)
    }


async def _totalled(settings: Settings, query: str) -> list[Json]:
    """Rows with their total (`sale_amount`) and its recount (`amount_rows`) joined."""
    rows = [with_sale_amount(row) for row in await fetch(settings, query)]
    for row in rows:
        row["amount_rows"] = totals.join(row.pop("amount_high"), row.pop("amount_low"))
    return rows


async def unfolded(settings: Settings) -> int:
    """Events stored but not folded yet."""
    rows = await fetch(settings, PENDING_WORK)
    return int(rows[0]["pending"])


async def _link_counters(settings: Settings) -> None:
    for row in await _totalled(settings, LINK_ROWS):
        kept = (row["clicks"], row["leads"], row["sales"], row["sale_amount"], row["conversions"])
        counted = (row["click_rows"], row["lead_rows"], row["sale_rows"], row["amount_rows"])
        # each buyer's sales all go to the link of their one lead: one conversion per buyer
        assert kept == (*counted, row["buyers"]), row["key"]


async def _customer_totals(settings: Settings) -> None:
    for row in await _totalled(settings, CUSTOMER_ROWS):
        kept = (row["sales"], row["sale_amount"], bool(row["has_sold"]))
        counted = (row["sale_rows"], row["amount_rows"], row["sale_rows"] > 0)
        assert kept == counted, row["external_id"]
        assert row["lead_rows"] == 1, row["external_id"]  # a customer comes with their lead


async def _claims(settings: Settings) -> None:
    """The rows that make each event happen once exist exactly for the events stored."""
    sales = [row["invoice_id"] for row in await fetch(settings, "SELECT invoice_id FROM sales")]
    claimed = await fetch(settings, "SELECT invoice_id, response FROM sale_invoices")
    assert sorted(row["invoice_id"] for row in claimed) == sorted(sales)
    assert all(row["response"] is not None for row in claimed)
    leads = [row["external_id"] for row in await fetch(settings, LEADS)]
    marks = await fetch(settings, "SELECT customer_external_id, event_name FROM lead_marks")
    assert sorted(row["customer_external_id"] for row in marks) == sorted(leads)
    assert {row["event_name"] for row in marks} <= {LEAD_EVENT.lower().replace(" ", "-")}
    clicks = await fetch(settings, "SELECT id FROM clicks")
    visitors = await fetch(settings, "SELECT click_id FROM click_visitors")
    assert sorted(row["click_id"] for row in visitors) == sorted(row["id"] for row in clicks)


async def _outbox(settings: Settings) -> None:
    """One webhook event per stored click, lead and sale, and one delivery of each."""
    events: dict[str, list[Json]] = {}
    for row in await fetch(settings, "SELECT event, body FROM webhook_events"):
        events.setdefault(row["event"], []).append(json.loads(row["body"])["data"])
    clicks = await fetch(settings, "SELECT id FROM clicks")
    announced = [data["click"]["id"] for data in events.get("link.clicked", [])]
    assert sorted(announced) == sorted(row["id"] for row in clicks)
    leads = await fetch(settings, LEADS)
    announced = [data["customer"]["externalId"] for data in events.get("lead.created", [])]
    assert sorted(announced) == sorted(row["external_id"] for row in leads)
    sales = await fetch(settings, "SELECT invoice_id FROM sales")
    announced = [data["sale"]["invoiceId"] for data in events.get("sale.created", [])]
    assert sorted(announced) == sorted(row["invoice_id"] for row in sales)
    deliveries = await fetch(settings, "SELECT event_id FROM webhook_deliveries")
    assert len(deliveries) == sum(len(found) for found in events.values())


async def _rollups(settings: Settings) -> None:
    """The rollups the folder kept equal a rebuild from the folded events, done in a
    transaction that is rolled back: the database is left as the crash left it."""
    engine = create_async_engine(async_url(settings.database_url))
    try:
        async with engine.connect() as conn:
            kept = [dict(row._mapping) for row in await conn.execute(text(ROLLUPS))]
            await conn.run_sync(rebuild)
            rebuilt = [dict(row._mapping) for row in await conn.execute(text(ROLLUPS))]
            await conn.rollback()
    finally:
        await engine.dispose()
    assert kept == rebuilt  # empty when a crash came before the first fold committed
