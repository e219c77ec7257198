"""All SQL of conversion tracking. Uniqueness is the database's job: every claim below is an
INSERT that either wins or finds the row that won.

The hot paths (a lead, a sale) run Core statements, built once per dialect, on the session's
connection and read plain rows: no ORM loading, identity map or flush (issue 13). Only the
webhook payload, written when somebody subscribes, loads ORM objects, for the presenters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Executable, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from clicktrail.kit.clock import utcnow
from clicktrail.kit.ids import prefixed_id
from clicktrail.models import Click, Customer, Lead, LeadMark, Link, Sale, SaleInvoice
from clicktrail.storage import sql

_customers = Customer.__table__.c
_clicks = Click.__table__.c
_links = Link.__table__.c
_leads = Lead.__table__.c
_invoices = SaleInvoice.__table__.c


@dataclass(frozen=True, slots=True)
class CustomerRow:
    id: str
    name: str | None
    email: str | None
    avatar: str | None
    external_id: str | None
    click_id: str | None
    link_id: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class LinkRow:
    id: str
    workspace_id: str
    domain: str
    key: str
    url: str
    partner_id: str | None
    program_id: str | None
    tenant_id: str | None
    external_id: str | None
    disabled_at: datetime | None


@dataclass(frozen=True, slots=True)
class ClickRow:
    id: str
    workspace_id: str
    link_id: str
    timestamp: datetime
    country: str


@dataclass(frozen=True, slots=True)
class LeadRow:
    id: str
    click_id: str
    link_id: str


_CUSTOMER_FIELDS = frozenset(field.name for field in fields(CustomerRow))
_CUSTOMER = (_customers.id, _customers.name, _customers.email, _customers.avatar,
             _customers.external_id, _customers.click_id, _customers.link_id,
             _customers.country)  # fmt: skip
_LINK = (_links.id, _links.workspace_id, _links.domain, _links.key, _links.url,
         _links.partner_id, _links.program_id, _links.tenant_id, _links.external_id,
         _links.disabled_at)  # fmt: skip
_CLICK = (_clicks.id, _clicks.workspace_id, _clicks.link_id, _clicks.timestamp, _clicks.country)

_CUSTOMER_BY_EXTERNAL = select(*_CUSTOMER).where(
    _customers.workspace_id == bindparam("workspace_id"),
    _customers.external_id == bindparam("external_id"),
)
# a click and its link in one read; the link's columns are NULL when it is gone
_CLICK_AND_LINK = (
    select(*_CLICK, *_LINK)
    .select_from(Click.__table__.outerjoin(Link.__table__, _links.id == _clicks.link_id))
    .where(_clicks.id == bindparam("click_id"))
)
_LINK_BY_ID = select(*_LINK).where(_links.id == bindparam("link_id"))
_LATEST_LEAD = (
    select(_leads.id, _leads.click_id, _leads.link_id)
    .where(_leads.customer_id == bindparam("customer_id"))
    .order_by(_leads.timestamp.desc())
    .limit(1)
)
_LATEST_LEAD_NAMED = (
    select(_leads.id, _leads.click_id, _leads.link_id)
    .where(_leads.customer_id == bindparam("customer_id"))
    .where(_leads.event_name == bindparam("event_name"))
    .order_by(_leads.timestamp.desc())
    .limit(1)
)
# not named after their columns: an UPDATE's SET takes those names
_INVOICE = (_invoices.workspace_id == bindparam("ws"),
            _invoices.invoice_id == bindparam("invoice"))  # fmt: skip
_INVOICE_RESPONSE = select(_invoices.response).where(*_INVOICE)
_DROP_INVOICE = delete(SaleInvoice).where(*_INVOICE)
_KEEP_INVOICE = update(SaleInvoice).where(*_INVOICE)
_ADD_LEADS = insert(Lead)
_ADD_SALE = insert(Sale)
_UPDATE_CUSTOMER = update(Customer).where(_customers.id == bindparam("customer_id"))


@cache
def _claims(dialect: str) -> tuple[Executable, Executable, Executable]:
    """The three claiming INSERTs of this dialect: customer, lead mark, invoice."""
    customer = sql.insert(Customer.__table__, dialect).on_conflict_do_nothing(
        index_elements=["workspace_id", "external_id"]
    )
    mark = sql.insert(LeadMark.__table__, dialect).on_conflict_do_nothing()
    invoice = sql.insert(SaleInvoice.__table__, dialect).on_conflict_do_nothing()
    return (
        customer.returning(_customers.id),
        mark.returning(LeadMark.__table__.c.event_name),
        invoice.returning(_invoices.invoice_id),
    )


def _customer(values: dict[str, Any]) -> CustomerRow:
    return CustomerRow(
        values["id"], values.get("name"), values.get("email"), values.get("avatar"),
        values.get("external_id"), values.get("click_id"), values.get("link_id"),
        values.get("country"),
    )  # fmt: skip


class TrackingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._conn: AsyncConnection | None = None

    async def connection(self) -> AsyncConnection:
        if self._conn is None:
            self._conn = await self.session.connection()
        return self._conn

    async def _first(self, stmt: Executable, params: dict[str, Any]) -> Any:
        return (await (await self.connection()).execute(stmt, params)).first()

    async def customer_by_external_id(
        self, workspace_id: str, external_id: str
    ) -> CustomerRow | None:
        row = await self._first(
            _CUSTOMER_BY_EXTERNAL, {"workspace_id": workspace_id, "external_id": external_id}
        )
        return None if row is None else CustomerRow(*row)

    async def click_and_link(self, click_id: str) -> tuple[ClickRow | None, LinkRow | None]:
        row = await self._first(_CLICK_AND_LINK, {"click_id": click_id})
        if row is None:
            return None, None
        split = len(_CLICK)
        return ClickRow(*row[:split]), (None if row[split] is None else LinkRow(*row[split:]))

    async def link(self, link_id: str | None) -> LinkRow | None:
        if link_id is None:
            return None
        row = await self._first(_LINK_BY_ID, {"link_id": link_id})
        return None if row is None else LinkRow(*row)

    async def get_or_create_customer(self, values: dict[str, Any]) -> tuple[CustomerRow, bool]:
        """The customer with this (workspace, external id): ours if we created it, else theirs."""
        conn = await self.connection()
        values = {"id": prefixed_id("cus"), **values}
        stmt = _claims(conn.dialect.name)[0]
        if await self._first(stmt, values) is not None:
            return _customer(values), True
        found = await self.customer_by_external_id(values["workspace_id"], values["external_id"])
        assert found is not None
        return found, False

    async def claim_lead_mark(self, workspace_id: str, external_id: str, event: str) -> bool:
        conn = await self.connection()
        params = {"workspace_id": workspace_id, "customer_external_id": external_id,
                  "event_name": event}  # fmt: skip
        return await self._first(_claims(conn.dialect.name)[1], params) is not None

    async def add_leads(self, leads: Sequence[dict[str, Any]]) -> None:
        """The events only (column values): the folder (folding/) counts them after the
        commit."""
        await (await self.connection()).execute(_ADD_LEADS, list(leads))

    async def latest_lead(self, customer_id: str, event_name: str | None) -> LeadRow | None:
        if event_name is None:
            row = await self._first(_LATEST_LEAD, {"customer_id": customer_id})
        else:
            params = {"customer_id": customer_id, "event_name": event_name}
            row = await self._first(_LATEST_LEAD_NAMED, params)
        return None if row is None else LeadRow(*row)

    async def claim_invoice(self, workspace_id: str, invoice_id: str) -> bool:
        conn = await self.connection()
        params = {"workspace_id": workspace_id, "invoice_id": invoice_id}
        return await self._first(_claims(conn.dialect.name)[2], params) is not None

    async def invoice_response(self, workspace_id: str, invoice_id: str) -> dict[str, Any] | None:
        row = await self._first(_INVOICE_RESPONSE, {"ws": workspace_id, "invoice": invoice_id})
        return None if row is None else row[0]

    async def settle_invoice(
        self, workspace_id: str, invoice_id: str, response: dict[str, Any] | None
    ) -> None:
        """Keep the response for repeats, or give the id back when nothing was recorded."""
        conn = await self.connection()
        params: dict[str, Any] = {"ws": workspace_id, "invoice": invoice_id}
        if response is None:
            await conn.execute(_DROP_INVOICE, params)
        else:
            await conn.execute(_KEEP_INVOICE, params | {"response": response})

    async def add_sale(self, sale: dict[str, Any]) -> None:
        """The event only (its column values): the folder counts it for its link and its
        customer."""
        await (await self.connection()).execute(_ADD_SALE, sale)

    async def update_customer(self, customer: CustomerRow, values: dict[str, Any]) -> CustomerRow:
        """The customer as it is after `values` (column values) were written."""
        params = values | {"customer_id": customer.id, "updated_at": utcnow()}
        await (await self.connection()).execute(_UPDATE_CUSTOMER, params)
        return replace(customer, **{k: v for k, v in values.items() if k in _CUSTOMER_FIELDS})

    async def place_customer(
        self, customer: CustomerRow, click: ClickRow, link: LinkRow
    ) -> CustomerRow:
        """Bind a customer that has no click yet to this one; nothing else of theirs changes."""
        return await self.update_customer(
            customer,
            {
                "click_id": click.id,
                "link_id": link.id,
                "clicked_at": click.timestamp,
                "country": customer.country or click.country,
            },
        )

    # The webhook payloads' objects, read fresh: only when somebody subscribes.

    async def full_customer(self, customer_id: str) -> Customer:
        found = await self.session.get(Customer, customer_id, populate_existing=True)
        assert found is not None  # written or read in this transaction
        return found

    async def full_link(self, link_id: str) -> Link:
        found = await self.session.get(Link, link_id, populate_existing=True)
        assert found is not None  # read in this transaction to attribute the event
        return found

    async def full_click(self, click_id: str) -> Any:
        """Every column of the click, as a row (the payload reads them by name)."""
        return await self._first(
            select(Click.__table__).where(_clicks.id == bindparam("click_id")),
            {"click_id": click_id},
        )
