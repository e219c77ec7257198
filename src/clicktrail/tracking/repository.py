"""All SQL of conversion tracking. Uniqueness is the database's job: every claim below is an
INSERT that either wins or finds the row that won."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.analytics import rollups
from clicktrail.analytics.rollups import LEAD, Tally
from clicktrail.kit.clock import utcnow
from clicktrail.models import Click, Customer, Lead, LeadMark, Link, Sale, SaleInvoice
from clicktrail.models.base import SaleTotal
from clicktrail.storage import totals
from clicktrail.storage.sql import insert


class TrackingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.rollups = Tally()  # the events' analytics counts, added by `count_in_analytics`

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

    async def add_leads(self, leads: Sequence[Lead], click: Click, at: datetime) -> None:
        self.rollups.add(click.workspace_id, at, click, LEAD, n=len(leads))
        self.session.add_all(leads)
        await self.session.flush()
        await self.session.execute(
            update(Link)
            .where(Link.id == leads[0].link_id)
            .values(leads=Link.leads + len(leads), last_lead_at=at)
        )

    async def count_in_analytics(self) -> None:
        """Add the events of this transaction to the rollups: once, after the link counters,
        the order every writer locks in."""
        await rollups.apply(self.session, self._dialect, self.rollups)
        self.rollups = Tally()

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

    async def add_sale(self, sale: Sale, *, first_conversion: bool) -> None:
        click = await self.click(sale.click_id)
        if click is not None:  # a sale's click goes only with its link, which then has no sales
            self.rollups.add(sale.workspace_id, sale.timestamp, click, rollups.sale(sale.amount))
        self.session.add(sale)
        await self.session.flush()
        counters: dict[str, Any] = {"sales": Link.sales + 1, **_plus(Link, sale.amount)}
        if first_conversion:
            counters |= {"conversions": Link.conversions + 1, "last_conversion_at": sale.timestamp}
        await self.session.execute(update(Link).where(Link.id == sale.link_id).values(**counters))

    async def count_sale_for_customer(self, customer: Customer, sale: Sale) -> int:
        """Adds the sale to the customer's totals; returns their number of sales after it."""
        stmt = (
            update(Customer)
            .where(Customer.id == customer.id)
            .values(
                sales=Customer.sales + 1,
                **_plus(Customer, sale.amount),
                first_sale_at=func.coalesce(Customer.first_sale_at, sale.timestamp),
            )
            .returning(Customer.sales)
        )
        return int((await self.session.execute(stmt)).scalar_one())

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


def _plus(table: type[SaleTotal], amount: int) -> dict[str, Any]:
    """The SET values that add `amount` to a table's sale total."""
    high, low = totals.added(table.sale_amount_high, table.sale_amount_low, *totals.split(amount))
    return {"sale_amount_high": high, "sale_amount_low": low}
