from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.api.deps import (
    ConversionWorkspace,
    CountedSession,
    RuntimeDep,
    WriteSession,
)
from clicktrail.api.openapi import BODY, MAX_PAGE, PARAMETERS, PLAN_GATED, errors
from clicktrail.customers import schemas
from clicktrail.customers.present import present, present_expanded
from clicktrail.customers.repository import Cursor, CustomerFilter, CustomerRepository
from clicktrail.customers.service import Paging
from clicktrail.customers.service import customer as customer_service
from clicktrail.errors import Conflict
from clicktrail.links.schemas import SortOrder
from clicktrail.models import Customer
from clicktrail.runtime import Runtime

router = APIRouter(
    prefix="/customers",
    tags=["Customers"],
    responses=PLAN_GATED,
)
WRITE = BODY | PARAMETERS | errors(Conflict)  # an external id that another customer has


def _filter(
    workspace: ConversionWorkspace,
    email: str | None = None,
    external_id: Annotated[str | None, Query(alias="externalId")] = None,
    search: str | None = None,
    country: str | None = None,
    link_id: Annotated[str | None, Query(alias="linkId")] = None,
) -> CustomerFilter:
    return CustomerFilter(workspace.id, email, external_id, search, country, link_id)


def _paging(
    sort_by: Annotated[
        schemas.CustomerSort, Query(alias="sortBy")
    ] = schemas.CustomerSort.created_at,
    sort_order: Annotated[SortOrder, Query(alias="sortOrder")] = SortOrder.desc,
    starting_after: Annotated[str | None, Query(alias="startingAfter")] = None,
    ending_before: Annotated[str | None, Query(alias="endingBefore")] = None,
    page: Annotated[int | None, Query(ge=1, le=MAX_PAGE)] = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=100)] = 100,
) -> Paging:
    return Paging(
        sort=sort_by,
        descending=sort_order is SortOrder.desc,
        page=page,
        size=page_size,
        cursor=Cursor(after=starting_after, before=ending_before),
    )


Expanded = Annotated[
    bool,
    Query(
        alias="includeExpandedFields",
        description="Include the customer's `link`, `programId`, `partner` and `discount`.",
    ),
]
Shown = list[schemas.ExpandedCustomer] | list[schemas.Customer]
OneShown = schemas.ExpandedCustomer | schemas.Customer


async def _shown(
    found: list[Customer], expanded: bool, session: AsyncSession, runtime: Runtime
) -> Shown:
    if not expanded:
        return [present(c) for c in found]
    links = await CustomerRepository(session).links({c.link_id for c in found if c.link_id})
    return [present_expanded(c, links.get(c.link_id or ""), runtime.settings) for c in found]


@router.get("", response_model=Shown, responses=PARAMETERS)
async def list_customers(
    where: Annotated[CustomerFilter, Depends(_filter)],
    paging: Annotated[Paging, Depends(_paging)],
    session: CountedSession,
    runtime: RuntimeDep,
    include_expanded_fields: Expanded = False,
) -> Any:
    """List customers, newest first; page with startingAfter/endingBefore or page/pageSize."""
    found = await customer_service.list_customers(session, where=where, paging=paging)
    return await _shown(found, include_expanded_fields, session, runtime)


@router.post("", response_model=schemas.Customer, status_code=201, responses=WRITE)
async def create_customer(
    body: schemas.CustomerCreate, workspace: ConversionWorkspace, session: WriteSession
) -> schemas.Customer:
    """Create a customer (409 if the external id is taken)."""
    return present(await customer_service.create(session, workspace=workspace, body=body))


@router.get("/{customer_id}", response_model=OneShown, responses=PARAMETERS)
async def get_customer(
    customer_id: str,
    workspace: ConversionWorkspace,
    session: CountedSession,
    runtime: RuntimeDep,
    include_expanded_fields: Expanded = False,
) -> Any:
    """Retrieve a customer by `cus_…` id or `ext_<externalId>`."""
    found = await customer_service.get(session, workspace=workspace, ref=customer_id)
    return (await _shown([found], include_expanded_fields, session, runtime))[0]


@router.patch("/{customer_id}", response_model=OneShown, responses=WRITE)
async def update_customer(
    customer_id: str,
    body: schemas.CustomerUpdate,
    workspace: ConversionWorkspace,
    session: WriteSession,
    runtime: RuntimeDep,
    include_expanded_fields: Expanded = False,
) -> Any:
    """Update a customer; only the fields sent change."""
    updated = await customer_service.update(
        session, workspace=workspace, ref=customer_id, body=body
    )
    return (await _shown([updated], include_expanded_fields, session, runtime))[0]


@router.delete("/{customer_id}", response_model=schemas.DeletedCustomer, responses=PARAMETERS)
async def delete_customer(
    customer_id: str, workspace: ConversionWorkspace, session: WriteSession
) -> schemas.DeletedCustomer:
    """Delete a customer; its leads and sales stay attributed to their links."""
    deleted = await customer_service.delete(session, workspace=workspace, ref=customer_id)
    return schemas.DeletedCustomer(id=deleted.id)
