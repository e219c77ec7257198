from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clicktrail.api.deps import CurrentWorkspace, ReadSession, RuntimeDep, WriteSession
from clicktrail.api.openapi import BODY, KEYED, MAX_PAGE, PARAMETERS, errors
from clicktrail.errors import Conflict, Forbidden
from clicktrail.kit.hosts import fold_host
from clicktrail.links import schemas
from clicktrail.links.present import present
from clicktrail.links.repository import LinkFilter
from clicktrail.links.service import link as link_service

router = APIRouter(prefix="/links", tags=["Links"], responses=KEYED)
# A domain that another workspace uses (403), a key or external id that is taken (409).
WRITE = BODY | PARAMETERS | errors(Forbidden, Conflict)


def _filter(
    workspace: CurrentWorkspace,
    domain: str | None = None,
    tenant_id: Annotated[str | None, Query(alias="tenantId")] = None,
    search: str | None = None,
    show_archived: Annotated[bool, Query(alias="showArchived")] = False,
) -> LinkFilter:
    return LinkFilter(
        workspace_id=workspace.id,
        domain=fold_host(domain) if domain else None,
        tenant_id=tenant_id,
        search=search,
        show_archived=show_archived,
    )


@router.post("", response_model=schemas.Link, responses=WRITE)
async def create_link(
    body: schemas.LinkCreate,
    workspace: CurrentWorkspace,
    session: WriteSession,
    runtime: RuntimeDep,
) -> schemas.Link:
    """Create a short link."""
    created = await link_service.create(
        session, workspace=workspace, body=body, settings=runtime.settings, epoch=runtime.epoch
    )
    return present(created, runtime.settings)


@router.get("", response_model=list[schemas.Link], responses=PARAMETERS)
async def list_links(
    workspace: CurrentWorkspace,
    session: ReadSession,
    runtime: RuntimeDep,
    domain: str | None = None,
    tenant_id: Annotated[str | None, Query(alias="tenantId")] = None,
    search: str | None = None,
    show_archived: Annotated[bool, Query(alias="showArchived")] = False,
    sort_by: Annotated[schemas.LinkSort, Query(alias="sortBy")] = schemas.LinkSort.created_at,
    sort_order: Annotated[schemas.SortOrder, Query(alias="sortOrder")] = schemas.SortOrder.desc,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=100)] = 100,
) -> list[schemas.Link]:
    """List the workspace's links, newest first by default."""
    where = _filter(workspace, domain, tenant_id, search, show_archived)
    found = await link_service.list_links(
        session, where=where, sort=sort_by, order=sort_order, page=page, page_size=page_size
    )
    return [present(link, runtime.settings) for link in found]


@router.get("/count", response_model=int, responses=PARAMETERS)
async def count_links(
    workspace: CurrentWorkspace,
    session: ReadSession,
    domain: str | None = None,
    tenant_id: Annotated[str | None, Query(alias="tenantId")] = None,
    search: str | None = None,
    show_archived: Annotated[bool, Query(alias="showArchived")] = False,
) -> int:
    """Count the workspace's links that match the filters."""
    where = _filter(workspace, domain, tenant_id, search, show_archived)
    return await link_service.count(session, where=where)


@router.get("/info", response_model=schemas.Link, responses=PARAMETERS)
async def get_link_info(
    workspace: CurrentWorkspace,
    session: ReadSession,
    runtime: RuntimeDep,
    domain: str | None = None,
    key: str | None = None,
    link_id: Annotated[str | None, Query(alias="linkId")] = None,
    external_id: Annotated[str | None, Query(alias="externalId")] = None,
) -> schemas.Link:
    """Retrieve a link by domain and key, by linkId, or by externalId."""
    found = await link_service.info(
        session,
        workspace=workspace,
        domain=domain,
        key=key,
        link_id=link_id,
        external_id=external_id,
    )
    return present(found, runtime.settings)


@router.patch("/{link_id}", response_model=schemas.Link, responses=WRITE)
async def update_link(
    link_id: str,
    body: schemas.LinkUpdate,
    workspace: CurrentWorkspace,
    session: WriteSession,
    runtime: RuntimeDep,
) -> schemas.Link:
    """Update a link by id or `ext_<externalId>`; only the fields sent change."""
    updated = await link_service.update(
        session,
        workspace=workspace,
        link_id=link_id,
        body=body,
        settings=runtime.settings,
        epoch=runtime.epoch,
    )
    return present(updated, runtime.settings)


@router.delete("/{link_id}", response_model=schemas.DeletedLink, responses=PARAMETERS)
async def delete_link(
    link_id: str, workspace: CurrentWorkspace, session: WriteSession, runtime: RuntimeDep
) -> schemas.DeletedLink:
    """Delete a link by id or `ext_<externalId>`."""
    deleted = await link_service.delete(
        session, workspace=workspace, link_id=link_id, settings=runtime.settings,
        epoch=runtime.epoch,
    )  # fmt: skip
    return schemas.DeletedLink(id=deleted.id)
