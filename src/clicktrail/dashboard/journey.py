"""A customer's journey: the click that brought them, their leads and every sale as it was
made (original currency and amount), read straight from the events (DESIGN.md #4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.models import Click, Customer, Lead, Link, Sale

MOST_EVENTS = 500


@dataclass(frozen=True, slots=True)
class Journey:
    clicks: list[tuple[Click, Link]]
    leads: list[tuple[Lead, Link]]
    sales: list[tuple[Sale, Link]]


async def of(session: AsyncSession, customer: Customer) -> Journey:
    """The customer's first click and the clicks their conversions came through, oldest first."""
    leads = await _events(session, Lead, customer)
    sales = await _events(session, Sale, customer)
    click_ids = {
        customer.click_id,
        *(e.click_id for e, _ in leads),
        *(e.click_id for e, _ in sales),
    }
    clicks = await session.execute(
        select(Click, Link)
        .join(Link, Link.id == Click.link_id)
        .where(Click.workspace_id == customer.workspace_id, Click.id.in_(click_ids - {None}))
        .order_by(Click.timestamp)
    )
    return Journey(list(clicks.all()), leads, sales)


async def _events(session: AsyncSession, kind: Any, customer: Customer) -> list[tuple[Any, Link]]:
    rows = await session.execute(
        select(kind, Link)
        .join(Link, Link.id == kind.link_id)
        .where(kind.workspace_id == customer.workspace_id, kind.customer_id == customer.id)
        .order_by(kind.timestamp)
        .limit(MOST_EVENTS)
    )
    return list(rows.all())
