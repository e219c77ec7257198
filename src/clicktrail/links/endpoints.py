from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clicktrail.api.deps import (
    CountedSession,
    CurrentWorkspace,
    ReadSession,
    RuntimeDep,
    WriteSession,
)
from clicktrail.api.openapi import BODY, KEYED, MAX_PAGE, PARAMETERS, errors
from clicktrail.errors import Conflict, Forbidden
from clicktrail.links import listing, schemas
from clicktrail.links.listing import LinkFilterDep
from clicktrail.links.present import present
from clicktrail.links.service import link as link_service

router = APIRouter(prefix="/links", tags=["Links"], responses=KEYED)
# A domain that another workspace uses (403), a key or external id that is taken (409).
WRITE = BODY | PARAMETERS | errors(Forbidden, Conflict)


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
    where: LinkFilterDep,
    session: CountedSession,
    runtime: RuntimeDep,
    sort_by: Annotated[schemas.LinkSort, Query(alias="sortBy")] = schemas.LinkSort.created_at,
    sort_order: Annotated[schemas.SortOrder, Query(alias="sortOrder")] = schemas.SortOrder.desc,
    page: Annotated[int | None, Query(ge=1, le=MAX_PAGE)] = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=100)] = 100,
    starting_after: Annotated[str | None, Query(alias="startingAfter")] = None,
    ending_before: Annotated[str | None, Query(alias="endingBefore")] = None,
) -> list[schemas.Link]:
    """List the workspace's links, newest first by default: by `page`, or by cursor
    (`startingAfter` / `endingBefore` a link id, newest first, as Dub pages)."""
    if starting_after or ending_before:
        found = await listing.page_by_cursor(
            session, where, after=starting_after, before=ending_before, page=page, sort=sort_by,
            size=page_size,
        )  # fmt: skip
    else:
        found = await link_service.list_links(
            session, where=where, sort=sort_by, order=sort_order, page=page or 1,
            page_size=page_size,
        )  # fmt: skip
    return [present(link, runtime.settings) for link in found]


@router.get("/count", response_model=int | list[dict[str, str | int | None]], responses=PARAMETERS)
async def count_links(
    where: LinkFilterDep,
    session: ReadSession,
    group_by: Annotated[listing.GroupBy | None, Query(alias="groupBy")] = None,
) -> int | list[dict[str, object]]:
    """Count the workspace's links that match the filters; with `groupBy`, Dub's list of
    `{<field>: value, "_count": n}` (which Dub's SDKs, typed for a number, do not parse)."""
    if group_by is None:
        return await link_service.count(session, where=where)
    return await listing.grouped_counts(session, where, group_by)


@router.get("/info", response_model=schemas.Link, responses=PARAMETERS)
async def get_link_info(
    workspace: CurrentWorkspace,
    session: CountedSession,
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
