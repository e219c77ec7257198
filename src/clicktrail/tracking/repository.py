"""All SQL of conversion tracking. Uniqueness is the database's job: every claim below is an
INSERT that either wins or finds the row that won."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.kit.clock import utcnow
from clicktrail.models import Click, Customer, Lead, LeadMark, Link, Sale, SaleInvoice
from clicktrail.storage.sql import insert


class TrackingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def customer_by_external_id(self, workspace_id: str, external_id: str) -> Customer | None:
        return await self.session.scalar(
            select(Customer).where(
                Customer.workspace_id == workspace_id, Customer.external_id == external_id
            )
        )

    async def click(self, click_id: str) -> Click | None:
        return await self.session.get(Click, click_id)

    async def link(self, link_id: str | None) -> Link | None:
        return None if link_id is None else await self.session.get(Link, link_id)

    async def get_or_create_customer(self, values: dict[str, Any]) -> tuple[Customer, bool]:
        """The customer with this (workspace, external id): ours if we created it, else theirs."""
        table = Customer.__table__
        stmt = insert(table, self._dialect).values(**values)
        stmt = stmt.on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
        created = (await self.session.execute(stmt.returning(table.c.id))).scalar()
        found = await self.customer_by_external_id(values["workspace_id"], values["external_id"])
        assert found is not None
        return found, created is not None

    async def claim_lead_mark(self, workspace_id: str, external_id: str, event: str) -> bool:
        stmt = insert(LeadMark.__table__, self._dialect).values(
            workspace_id=workspace_id, customer_external_id=external_id, event_name=event
        )
        stmt = stmt.on_conflict_do_nothing().returning(LeadMark.__table__.c.event_name)
        return (await self.session.execute(stmt)).first() is not None

    async def add_leads(self, leads: Sequence[Lead]) -> None:
        """The events only: the folder (folding/) counts them after the commit."""
        self.session.add_all(leads)
        await self.session.flush()

    async def latest_lead(self, customer_id: str, event_name: str | None) -> Lead | None:
        stmt = select(Lead).where(Lead.customer_id == customer_id)
        if event_name is not None:
            stmt = stmt.where(Lead.event_name == event_name)
        return await self.session.scalar(stmt.order_by(Lead.timestamp.desc()).limit(1))

    async def claim_invoice(self, workspace_id: str, invoice_id: str) -> bool:
        stmt = insert(SaleInvoice.__table__, self._dialect).values(
            workspace_id=workspace_id, invoice_id=invoice_id
        )
        stmt = stmt.on_conflict_do_nothing().returning(SaleInvoice.__table__.c.invoice_id)
        return (await self.session.execute(stmt)).first() is not None

    async def invoice_response(self, workspace_id: str, invoice_id: str) -> dict[str, Any] | None:
        return await self.session.scalar(
            select(SaleInvoice.response).where(
                SaleInvoice.workspace_id == workspace_id, SaleInvoice.invoice_id == invoice_id
            )
        )

    async def settle_invoice(
        self, workspace_id: str, invoice_id: str, response: dict[str, Any] | None
    ) -> None:
        """Keep the response for repeats, or give the id back when nothing was recorded."""
        where = (SaleInvoice.workspace_id == workspace_id, SaleInvoice.invoice_id == invoice_id)
        if response is None:
            await self.session.execute(delete(SaleInvoice).where(*where))
        else:
            await self.session.execute(update(SaleInvoice).where(*where).values(response=response))

    async def add_sale(self, sale: Sale) -> None:
        """The event only: the folder counts it for its link and its customer."""
        self.session.add(sale)
        await self.session.flush()

    async def update_customer(self, customer: Customer, values: dict[str, Any]) -> None:
        for field, value in values.items():
            setattr(customer, field, value)
        customer.updated_at = utcnow()
        await self.session.flush()

    async def place_customer(self, customer: Customer, click: Click, link: Link) -> None:
        """Bind a customer that has no click yet to this one; nothing else of theirs changes."""
        await self.update_customer(
            customer,
            {
                "click_id": click.id,
                "link_id": link.id,
                "clicked_at": click.timestamp,
                "country": customer.country or click.country,
            },
        )
