"""GET /events: the clicks, leads or sales themselves, newest first (spec §7.2)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.analytics.request import Selection
from clicktrail.analytics.service import one_link_as_id
from clicktrail.config import Settings
from clicktrail.events.present import present_click, present_lead, present_sale
from clicktrail.models import Click, Customer, Lead, Link, Sale
from clicktrail.storage.limits import time_limited


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int
    descending: bool


async def list_events(
    session: AsyncSession, *, chosen: Selection, page: Page, settings: Settings, seconds: float
) -> list[dict[str, Any]]:
    kind = chosen.event.value
    async with time_limited(session, seconds):
        chosen = replace(chosen, filters=await one_link_as_id(session, chosen.filters))
        rows: list[Any] = list((await session.execute(_query(kind, chosen, page))).all())
    if kind == "clicks":
        return [present_click(click, link, settings) for click, link in rows]
    show = present_lead if kind == "leads" else present_sale
    return [show(event, click, link, customer, settings) for event, click, link, customer in rows]


def _query(kind: str, chosen: Selection, page: Page) -> Any:
    """Events whose link is gone are left out (inner join), as on Dub."""
    own: Any = {"clicks": Click, "leads": Lead, "sales": Sale}[kind]
    window = chosen.window
    where = [
        *chosen.filters.where(own.__table__, Click.__table__, kind),
        own.timestamp >= window.start,
        own.timestamp < window.end,
    ]
    query: Any
    if kind == "clicks":
        query = select(Click, Link).join(Link, Link.id == Click.link_id)
    else:
        query = (
            select(own, Click, Link, Customer)
            .join(Click, Click.id == own.click_id)
            .join(Link, Link.id == own.link_id)
            .outerjoin(Customer, Customer.id == own.customer_id)
        )
    order = (own.timestamp.desc(), own.id.desc()) if page.descending else (own.timestamp, own.id)
    return (
        query.where(*where).order_by(*order).limit(page.size).offset((page.number - 1) * page.size)
    )
