"""A tag's name is unique in its workspace; a link names its tags by id or by name."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.errors import Conflict, NotFound, UnprocessableEntity
from clicktrail.kit.clock import utcnow
from clicktrail.models import Tag, Workspace
from clicktrail.tags.repository import TagRepository
from clicktrail.tags.schemas import COLORS, TagCreate, TagUpdate

NOT_FOUND = "Tag not found."
TAKEN = "A tag with that name already exists."


async def create(session: AsyncSession, *, workspace: Workspace, body: TagCreate) -> Tag:
    name = body.given_name or ""
    if await TagRepository(session).named(workspace.id, name) is not None:
        raise Conflict(TAKEN)
    tag = Tag(workspace_id=workspace.id, name=name, color=body.color or secrets.choice(COLORS))
    await _flush(session, tag)
    return tag


async def get(session: AsyncSession, workspace: Workspace, tag_id: str) -> Tag:
    found = await TagRepository(session).get(workspace.id, tag_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


async def update(
    session: AsyncSession, *, workspace: Workspace, tag_id: str, body: TagUpdate
) -> Tag:
    tag = await get(session, workspace, tag_id)
    name = body.given_name
    if name is not None and name != tag.name:
        if await TagRepository(session).named(workspace.id, name) is not None:
            raise Conflict(TAKEN)
        tag.name = name
    if body.color is not None:
        tag.color = body.color
    tag.updated_at = utcnow()
    await _flush(session, tag)
    return tag


async def delete(session: AsyncSession, *, workspace: Workspace, tag_id: str) -> str:
    """The tag goes, and from every link that had it."""
    tag = await get(session, workspace, tag_id)
    await TagRepository(session).remove(tag)
    return tag.id


async def for_link(
    session: AsyncSession, workspace_id: str, *, ids: list[str] | None, names: list[str] | None
) -> list[Tag]:
    """The tags a link names, in the order named: by id if it names any, else by name. One
    that the workspace does not have is refused with Dub's message."""
    repo = TagRepository(session)
    with session.no_autoflush:  # the link's other changes are checked before they are flushed
        if ids:
            found = {tag.id: tag for tag in await repo.with_ids(workspace_id, ids)}
            return _all_found(found, ids, "tagIds")
        if names:
            named = {tag.name.lower(): tag for tag in await repo.with_names(workspace_id, names)}
            return _all_found(named, names, "tagNames", fold=str.lower)
    return []


def _all_found(
    found: dict[str, Tag], wanted: list[str], field: str, fold: Callable[[str], str] = str
) -> list[Tag]:
    missing = [value for value in wanted if fold(value) not in found]
    if missing:
        raise UnprocessableEntity(f"Invalid {field} detected: {', '.join(missing)}")
    return list({found[fold(value)].id: found[fold(value)] for value in wanted}.values())


async def _flush(session: AsyncSession, tag: Tag) -> None:
    session.add(tag)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise Conflict(TAKEN) from exc
