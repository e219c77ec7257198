"""`/tags`: Dub's create, list, update and delete of a workspace's link tags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clicktrail.api.deps import CurrentWorkspace, ReadSession, WriteSession
from clicktrail.api.openapi import BODY, KEYED, MAX_PAGE, PARAMETERS, errors
from clicktrail.errors import Conflict
from clicktrail.models import Tag
from clicktrail.tags import schemas, service
from clicktrail.tags.repository import TagRepository

router = APIRouter(prefix="/tags", tags=["Tags"], responses=KEYED)
WRITE = BODY | errors(Conflict)


def present(tag: Tag) -> schemas.LinkTag:
    return schemas.LinkTag(id=tag.id, name=tag.name, color=tag.color)


def _listed(values: list[str] | None) -> list[str] | None:
    """`a,b` or repeated parameters, as Dub reads `ids`."""
    if values is None:
        return None
    return [part for value in values for part in value.split(",") if part]


@router.post("", response_model=schemas.LinkTag, status_code=201, responses=WRITE)
async def create_tag(
    body: schemas.TagCreate, workspace: CurrentWorkspace, session: WriteSession
) -> schemas.LinkTag:
    """Create a tag; without a color it gets one of Dub's colors at random."""
    return present(await service.create(session, workspace=workspace, body=body))


@router.get("", response_model=list[schemas.LinkTag], responses=PARAMETERS)
async def list_tags(
    workspace: CurrentWorkspace,
    session: ReadSession,
    search: str | None = None,
    ids: Annotated[list[str] | None, Query()] = None,
    sort_by: Annotated[schemas.TagSort, Query(alias="sortBy")] = schemas.TagSort.name,
    sort_order: Annotated[schemas.TagOrder, Query(alias="sortOrder")] = schemas.TagOrder.asc,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[
        int, Query(alias="pageSize", ge=1, le=schemas.MAX_PAGE_SIZE)
    ] = schemas.MAX_PAGE_SIZE,
) -> list[schemas.LinkTag]:
    """The workspace's tags, by name A to Z unless sorted otherwise."""
    found = await TagRepository(session).page(
        workspace.id, search=search, ids=_listed(ids), sort=sort_by, order=sort_order,
        page=page, size=page_size,
    )  # fmt: skip
    return [present(tag) for tag in found]


@router.patch("/{tag_id}", response_model=schemas.LinkTag, responses=WRITE)
async def update_tag(
    tag_id: str, body: schemas.TagUpdate, workspace: CurrentWorkspace, session: WriteSession
) -> schemas.LinkTag:
    """Rename a tag or change its color; the links that have it show the change."""
    return present(await service.update(session, workspace=workspace, tag_id=tag_id, body=body))


@router.delete("/{tag_id}", response_model=schemas.DeletedTag, responses=PARAMETERS)
async def delete_tag(
    tag_id: str, workspace: CurrentWorkspace, session: WriteSession
) -> schemas.DeletedTag:
    """Remove a tag, and take it off every link that has it."""
    return schemas.DeletedTag(id=await service.delete(session, workspace=workspace, tag_id=tag_id))
