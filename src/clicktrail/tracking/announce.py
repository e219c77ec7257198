"""The webhook events of conversion tracking, written in the transaction that records them.
The payload's customer, click and link are read in full, fresh, only when somebody subscribes."""

from __future__ import annotations

from typing import Any

from clicktrail.config import Settings
from clicktrail.tracking.repository import TrackingRepository
from clicktrail.webhooks import outbox, payloads


async def lead_created(
    repo: TrackingRepository, event_name: str, workspace_id: str, customer_id: str,
    click_id: str, link_id: str, metadata: dict[str, Any] | None, settings: Settings,
) -> None:  # fmt: skip
    async def data() -> dict[str, Any]:
        customer = await repo.full_customer(customer_id)
        click, link = await repo.full_click(click_id), await repo.full_link(link_id)
        return payloads.lead_data(event_name, customer, click, link, metadata, settings)

    await outbox.emit(await repo.connection(), workspace_id, "lead.created", data)


async def sale_created(repo: TrackingRepository, sale: dict[str, Any], settings: Settings) -> None:
    """`sale`: the column values of the sale just written."""

    async def data() -> dict[str, Any]:
        customer = await repo.full_customer(sale["customer_id"])
        click, link = await repo.full_click(sale["click_id"]), await repo.full_link(sale["link_id"])
        return payloads.sale_data(sale, customer, click, link, settings)

    await outbox.emit(await repo.connection(), sale["workspace_id"], "sale.created", data)
