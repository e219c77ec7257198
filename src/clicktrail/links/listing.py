"""`GET /links` and `GET /links/count`: Dub's filters, its cursor paging and its groupings."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.api.deps import CurrentWorkspace
from clicktrail.errors import UnprocessableEntity
from clicktrail.kit.hosts import fold_host
from clicktrail.kit.ids import machine_user_id
from clicktrail.links.repository import LinkFilter, LinkRepository
from clicktrail.links.schemas import LinkSort
from clicktrail.models import Link

BAD_CURSOR = "Invalid cursor: the provided ID does not exist."
BOTH_CURSORS = "You cannot use both startingAfter and endingBefore at the same time."
CURSOR_AND_PAGE = (
    "You cannot use both page and startingAfter/endingBefore at the same time. "
    "Please use one pagination method."
)
CURSOR_SORT = (
    "Cursor-based pagination only supports sorting by `createdAt`. Use offset-based "
    "pagination (page/pageSize) for other sort fields."
)


class GroupBy(StrEnum):
    domain = "domain"
    tag_id = "tagId"
    user_id = "userId"
    folder_id = "folderId"


def _listed(values: list[str] | None) -> list[str]:
    """`a,b` or repeated parameters, as Dub reads tagIds and tagNames."""
    return [part for value in values or [] for part in value.split(",") if part]


def link_filter(
    workspace: CurrentWorkspace,
    domain: str | None = None,
    tenant_id: Annotated[str | None, Query(alias="tenantId")] = None,
    search: str | None = None,
    show_archived: Annotated[bool, Query(alias="showArchived")] = False,
    folder_id: Annotated[str | None, Query(alias="folderId")] = None,
    user_id: Annotated[str | None, Query(alias="userId")] = None,
    tag_id: Annotated[str | None, Query(alias="tagId", deprecated=True)] = None,
    tag_ids: Annotated[list[str] | None, Query(alias="tagIds")] = None,
    tag_names: Annotated[list[str] | None, Query(alias="tagNames")] = None,
    with_tags: Annotated[bool, Query(alias="withTags", deprecated=True)] = False,
) -> LinkFilter:
    """Links with any of the tags named by id (`tagIds`, else the deprecated `tagId`), else by
    name. Every link is the workspace machine user's, so another userId matches none. The
    deprecated `withTags` is read and ignored: PyPI `dub` up to 0.16 sends `withTags=true` on
    every list, and expects all links."""
    del with_tags
    ids = _listed(tag_ids) or ([tag_id] if tag_id else [])
    other_user = user_id is not None and user_id != machine_user_id(workspace.id)
    return LinkFilter(
        workspace_id=workspace.id,
        domain=fold_host(domain) if domain else None,
        tenant_id=tenant_id,
        search=search,
        show_archived=show_archived,
        folder_id=folder_id,
        tag_ids=tuple(dict.fromkeys(ids)),
        tag_names=tuple(_listed(tag_names)),
        other_user=other_user,
    )


_UNFILTERED: dict[GroupBy, dict[str, Any]] = {
    GroupBy.domain: {"domain": None},
    GroupBy.tag_id: {"tag_ids": (), "tag_names": ()},
    GroupBy.user_id: {"other_user": False},
    GroupBy.folder_id: {"folder_id": None},
}
LinkFilterDep = Annotated[LinkFilter, Depends(link_filter)]


async def page_by_cursor(
    session: AsyncSession, where: LinkFilter, *, after: str | None, before: str | None,
    page: int | None, sort: LinkSort, size: int,
) -> list[Link]:  # fmt: skip
    """Dub's rules: one cursor, no page beside it, sorted by creation, and a cursor that is a
    link of the workspace."""
    if after and before:
        raise UnprocessableEntity(BOTH_CURSORS)
    if page is not None:
        raise UnprocessableEntity(CURSOR_AND_PAGE)
    if sort is not LinkSort.created_at:
        raise UnprocessableEntity(CURSOR_SORT)
    repo = LinkRepository(session)
    cursor = after or before or ""
    if await repo.get(where.workspace_id, cursor) is None:
        raise UnprocessableEntity(BAD_CURSOR)
    return await repo.page_after(where, cursor, before=before is not None, size=size)


async def grouped_counts(
    session: AsyncSession, where: LinkFilter, group_by: GroupBy
) -> list[dict[str, object]]:
    """Dub's `[{<field>: value, "_count": n}]`, the most first; by tagId, a link counts once
    for each of its tags, and untagged links are in no group."""
    where = replace(where, **_UNFILTERED[group_by])  # Dub ignores the filter it groups by
    if group_by is GroupBy.tag_id:
        tagged = await LinkRepository(session).counts_by_tag(where)
        return [{"tagId": tag_id, "_count": n} for tag_id, n in tagged]
    if group_by is GroupBy.user_id:
        total = await LinkRepository(session).count(where)
        return [{"userId": machine_user_id(where.workspace_id), "_count": total}] if total else []
    column = "domain" if group_by is GroupBy.domain else "folder_id"
    rows = await LinkRepository(session).counts_by(where, column)
    return [{group_by.value: value, "_count": n} for value, n in rows]
