"""A folder's name is unique in its workspace; a folder with links is not removed under them."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.errors import Conflict, NotFound, UnprocessableEntity
from clicktrail.folders.repository import FolderRepository
from clicktrail.folders.schemas import FolderCreate, FolderUpdate
from clicktrail.kit.clock import utcnow
from clicktrail.models import Folder, Workspace

NOT_FOUND = "Folder not found."


def _taken(name: str) -> Conflict:
    return Conflict(f"A folder with the name {name} already exists.")


async def create(session: AsyncSession, *, workspace: Workspace, body: FolderCreate) -> Folder:
    if await FolderRepository(session).named(workspace.id, body.name) is not None:
        raise _taken(body.name)
    folder = Folder(
        workspace_id=workspace.id, name=body.name, description=body.description,
        access_level=body.access_level.value if body.access_level else None,
    )  # fmt: skip
    await _flush(session, folder)
    return folder


async def get(session: AsyncSession, workspace: Workspace, folder_id: str) -> Folder:
    found = await FolderRepository(session).get(workspace.id, folder_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


async def update(
    session: AsyncSession, *, workspace: Workspace, folder_id: str, body: FolderUpdate
) -> Folder:
    folder = await get(session, workspace, folder_id)
    fields = body.model_fields_set
    if body.name is not None and body.name != folder.name:
        if await FolderRepository(session).named(workspace.id, body.name) is not None:
            raise _taken(body.name)
        folder.name = body.name
    if "description" in fields:
        folder.description = body.description
    if "access_level" in fields:
        folder.access_level = body.access_level.value if body.access_level else None
    folder.updated_at = utcnow()
    await _flush(session, folder)
    return folder


async def delete(session: AsyncSession, *, workspace: Workspace, folder_id: str) -> str:
    folder = await get(session, workspace, folder_id)
    links = await FolderRepository(session).link_count(folder)
    if links:
        raise UnprocessableEntity(
            f"The folder {folder.name} has {links} links: move or delete them first."
        )
    await session.delete(folder)
    await session.flush()
    return folder.id


async def _flush(session: AsyncSession, folder: Folder) -> None:
    session.add(folder)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise _taken(folder.name) from exc
