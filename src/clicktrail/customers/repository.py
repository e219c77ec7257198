from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.customers.schemas import CustomerSort
from clicktrail.models import Customer, Link

_SORTS: dict[CustomerSort, tuple[Any, ...]] = {
    CustomerSort.created_at: (Customer.created_at,),
    # normalised parts (storage/totals.py) sort as the totals they make
    CustomerSort.sale_amount: (Customer.sale_amount_high, Customer.sale_amount_low),
    CustomerSort.first_sale_at: (Customer.first_sale_at,),
    CustomerSort.subscription_canceled_at: (Customer.created_at,),  # not tracked: creation order
}


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    workspace_id: str
    email: str | None = None
    external_id: str | None = None
    search: str | None = None
    country: str | None = None
    link_id: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    after: str | None = None  # ids past this one, in the list's order
    before: str | None = None  # ids before this one, in the list's order


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, workspace_id: str, customer_id: str) -> Customer | None:
        return await self.session.scalar(
            select(Customer).where(
                Customer.workspace_id == workspace_id, Customer.id == customer_id
            )
        )

    async def get_by_external_id(self, workspace_id: str, external_id: str) -> Customer | None:
        return await self.session.scalar(
            select(Customer).where(
                Customer.workspace_id == workspace_id, Customer.external_id == external_id
            )
        )

    async def exists(self, workspace_id: str, customer_id: str) -> bool:
        return await self.get(workspace_id, customer_id) is not None

    async def links(self, link_ids: set[str]) -> dict[str, Link]:
        if not link_ids:
            return {}
        rows = await self.session.scalars(select(Link).where(Link.id.in_(link_ids)))
        return {link.id: link for link in rows}

    async def add(self, customer: Customer) -> Customer:
        self.session.add(customer)
        await self.session.flush()
        return customer

    async def remove(self, customer: Customer) -> None:
        await self.session.execute(delete(Customer).where(Customer.id == customer.id))

    async def by_page(
        self, where: CustomerFilter, sort: CustomerSort, descending: bool, page: int, size: int
    ) -> list[Customer]:
        columns = _SORTS[sort]
        if descending:
            order = [*(column.desc() for column in columns), Customer.id.desc()]
        else:
            order = [*(column.asc() for column in columns), Customer.id.asc()]
        stmt = _filtered(select(Customer), where).order_by(*order)
        return list(await self.session.scalars(stmt.limit(size).offset((page - 1) * size)))

    async def by_cursor(
        self, where: CustomerFilter, cursor: Cursor, descending: bool, size: int
    ) -> list[Customer]:
        """Ids sort like creation times (ULIDs); `before` pages walk back, then read forward."""
        stmt = _filtered(select(Customer), where)
        if cursor.after:
            stmt = stmt.where(
                Customer.id < cursor.after if descending else Customer.id > cursor.after
            )
        if cursor.before:
            stmt = stmt.where(
                Customer.id > cursor.before if descending else Customer.id < cursor.before
            )
        backwards = cursor.before is not None
        newest_first = descending != backwards
        stmt = stmt.order_by(Customer.id.desc() if newest_first else Customer.id.asc())
        found = list(await self.session.scalars(stmt.limit(size)))
        return list(reversed(found)) if backwards else found

    async def count(self, where: CustomerFilter) -> int:
        stmt = _filtered(select(func.count()).select_from(Customer), where)
        return int(await self.session.scalar(stmt) or 0)


S = TypeVar("S", bound=Select[Any])


def _filtered(stmt: S, where: CustomerFilter) -> S:
    """As Dub: `email` wins over `externalId`, which wins over `search`; `country` and `linkId`
    always apply too."""
    stmt = stmt.where(Customer.workspace_id == where.workspace_id)
    if where.email:
        stmt = stmt.where(Customer.email == where.email)
    elif where.external_id:
        stmt = stmt.where(Customer.external_id == where.external_id)
    elif where.search:
        stmt = stmt.where(_searched(where.search))
    if where.country:
        stmt = stmt.where(Customer.country == where.country)
    if where.link_id:
        stmt = stmt.where(Customer.link_id == where.link_id)
    return stmt


def _searched(search: str) -> ColumnElement[bool]:
    if "@" in search:
        return Customer.email == search
    return or_(
        Customer.email.icontains(search, autoescape=True),
        Customer.name.icontains(search, autoescape=True),
    )
