"""Reading and changing customers (spec §7.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.customers.repository import Cursor, CustomerFilter, CustomerRepository
from clicktrail.customers.schemas import CustomerCreate, CustomerSort, CustomerUpdate
from clicktrail.errors import Conflict, NotFound, UnprocessableEntity
from clicktrail.kit.clock import utcnow
from clicktrail.kit.names import random_name
from clicktrail.models import Customer, Workspace

NOT_FOUND = (
    "Customer not found. Make sure you're using the correct customer ID (e.g. "
    "`cus_3TagGjzRzmsFJdH8od2BNCsc`) or external ID (has to be prefixed with `ext_`)."
)
DUPLICATE = "A customer with this external ID already exists."
BOTH_CURSORS = "You cannot use both startingAfter and endingBefore at the same time."
CURSOR_SORT = (
    "Cursor-based pagination only supports sorting by `createdAt`. Use offset-based pagination "
    "(page/pageSize) for other sort fields."
)
MIXED = (
    "You cannot use both page and startingAfter/endingBefore at the same time. Please use one "
    "pagination method."
)
PAGE_TOO_BIG = (
    "Page is too big (cannot be more than 1000), recommend using cursor-based pagination instead."
)
BAD_CURSOR = "Invalid cursor: the provided ID does not exist."


@dataclass(frozen=True, slots=True)
class Paging:
    sort: CustomerSort = CustomerSort.created_at
    descending: bool = True
    page: int | None = None
    size: int = 100
    cursor: Cursor = field(default_factory=Cursor)


class CustomerService:
    async def list_customers(
        self, session: AsyncSession, *, where: CustomerFilter, paging: Paging
    ) -> list[Customer]:
        repo = CustomerRepository(session)
        cursor = paging.cursor
        if cursor.after is None and cursor.before is None:
            page = paging.page or 1
            if page > 1000:
                raise UnprocessableEntity(PAGE_TOO_BIG)
            return await repo.by_page(where, paging.sort, paging.descending, page, paging.size)
        _check_cursor_paging(paging)
        for given in (cursor.after, cursor.before):
            if given is not None and not await repo.exists(where.workspace_id, given):
                raise UnprocessableEntity(BAD_CURSOR)
        return await repo.by_cursor(where, cursor, paging.descending, paging.size)

    async def get(self, session: AsyncSession, *, workspace: Workspace, ref: str) -> Customer:
        """By `cus_…` id, or by external id written `ext_<externalId>`."""
        repo = CustomerRepository(session)
        found = (
            await repo.get_by_external_id(workspace.id, ref.removeprefix("ext_"))
            if ref.startswith("ext_")
            else await repo.get(workspace.id, ref)
        )
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    async def create(
        self, session: AsyncSession, *, workspace: Workspace, body: CustomerCreate
    ) -> Customer:
        repo = CustomerRepository(session)
        if await repo.get_by_external_id(workspace.id, body.external_id) is not None:
            raise Conflict(DUPLICATE)
        values: dict[str, Any] = body.model_dump(exclude_unset=True)
        values["name"] = fallback_name(body.name, body.email)
        return await _flushed(repo, Customer(workspace_id=workspace.id, **values))

    async def update(
        self, session: AsyncSession, *, workspace: Workspace, ref: str, body: CustomerUpdate
    ) -> Customer:
        repo = CustomerRepository(session)
        customer = await self.get(session, workspace=workspace, ref=ref)
        changes: dict[str, Any] = body.model_dump(exclude_unset=True)
        new_external: str | None = changes.get("external_id")
        if new_external and new_external != customer.external_id:
            other = await repo.get_by_external_id(workspace.id, new_external)
            if other is not None:
                raise Conflict(DUPLICATE)
        for name, value in changes.items():
            if name != "external_id" or value:
                setattr(customer, name, value)
        if not customer.name:  # a name taken away is made up again once, not on every read
            customer.name = fallback_name(None, customer.email)
        customer.updated_at = utcnow()
        return await _flushed(repo, customer)

    async def delete(self, session: AsyncSession, *, workspace: Workspace, ref: str) -> Customer:
        """The customer goes; its leads and sales stay in the link's history."""
        customer = await self.get(session, workspace=workspace, ref=ref)
        await CustomerRepository(session).remove(customer)
        return customer


def fallback_name(name: str | None, email: str | None) -> str:
    """As Dub stores it: the name, else the email, else a made-up name."""
    return name or email or random_name()


def _check_cursor_paging(paging: Paging) -> None:
    if paging.cursor.after is not None and paging.cursor.before is not None:
        raise UnprocessableEntity(BOTH_CURSORS)
    if paging.sort is not CustomerSort.created_at:
        raise UnprocessableEntity(CURSOR_SORT)
    if paging.page is not None:
        raise UnprocessableEntity(MIXED)


async def _flushed(repo: CustomerRepository, customer: Customer) -> Customer:
    try:
        return await repo.add(customer)
    except IntegrityError as exc:  # a concurrent request took the external id first
        raise Conflict(DUPLICATE) from exc


customer = CustomerService()
