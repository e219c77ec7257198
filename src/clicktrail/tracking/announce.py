"""The webhook events of conversion tracking, written in the transaction that records them.
Link and customer totals were changed in SQL, so both are read again for the payload."""

from __future__ import annotations

from typing import Any

from clicktrail.config import Settings
from clicktrail.models import Click, Customer, Link, Sale
from clicktrail.tracking.repository import TrackingRepository
from clicktrail.webhooks import outbox, payloads


async def lead_created(
    repo: TrackingRepository, event_name: str, customer: Customer, click: Click, link: Link,
    metadata: dict[str, Any] | None, settings: Settings,
) -> None:  # fmt: skip
    async def data() -> dict[str, Any]:
        await repo.session.refresh(link)
        return payloads.lead_data(event_name, customer, click, link, metadata, settings)

    await outbox.emit(repo.session, link.workspace_id, "lead.created", data)


async def sale_created(
    repo: TrackingRepository, sale: Sale, customer: Customer, settings: Settings
) -> None:
    async def data() -> dict[str, Any]:
        click, link = await repo.click(sale.click_id), await repo.link(sale.link_id)
        # both were read a moment ago, in this transaction, to attribute the sale
        assert click is not None
        assert link is not None
        await repo.session.refresh(link)
        await repo.session.refresh(customer)
        return payloads.sale_data(sale, customer, click, link, settings)

    await outbox.emit(repo.session, sale.workspace_id, "sale.created", data)
