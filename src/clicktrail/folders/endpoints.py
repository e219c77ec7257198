"""`/folders`: Dub's create, list, update and delete of a workspace's link folders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clicktrail.api.deps import CurrentWorkspace, ReadSession, WriteSession
from clicktrail.api.openapi import BODY, KEYED, PARAMETERS, errors
from clicktrail.errors import Conflict
from clicktrail.folders import schemas, service
from clicktrail.folders.repository import FolderRepository
from clicktrail.kit.clock import iso
from clicktrail.models import Folder

router = APIRouter(prefix="/folders", tags=["Folders"], responses=KEYED)
WRITE = BODY | errors(Conflict)


def present(folder: Folder) -> schemas.Folder:
    return schemas.Folder(
        id=folder.id, name=folder.name, description=folder.description,
        access_level=folder.access_level, created_at=iso(folder.created_at) or "",
        updated_at=iso(folder.updated_at) or "",
    )  # fmt: skip


@router.post("", response_model=schemas.Folder, status_code=201, responses=WRITE)
async def create_folder(
    body: schemas.FolderCreate, workspace: CurrentWorkspace, session: WriteSession
) -> schemas.Folder:
    """Create a folder; its id is what a link's `folderId` names."""
    return present(await service.create(session, workspace=workspace, body=body))


@router.get("", response_model=list[schemas.Folder], responses=PARAMETERS)
async def list_folders(
    workspace: CurrentWorkspace,
    session: ReadSession,
    search: str | None = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=50)] = 50,
) -> list[schemas.Folder]:
    """The workspace's folders, newest first."""
    repo = FolderRepository(session)
    found = await repo.page(workspace.id, search=search, page=page, size=page_size)
    return [present(folder) for folder in found]


@router.patch("/{folder_id}", response_model=schemas.Folder, responses=WRITE)
async def update_folder(
    folder_id: str, body: schemas.FolderUpdate, workspace: CurrentWorkspace, session: WriteSession
) -> schemas.Folder:
    """Rename a folder, or change its description or access level."""
    found = await service.update(session, workspace=workspace, folder_id=folder_id, body=body)
    return present(found)


@router.delete("/{folder_id}", response_model=schemas.DeletedFolder, responses=PARAMETERS)
async def delete_folder(
    folder_id: str, workspace: CurrentWorkspace, session: WriteSession
) -> schemas.DeletedFolder:
    """Remove a folder that has no links left (422 otherwise)."""
    deleted = await service.delete(session, workspace=workspace, folder_id=folder_id)
    return schemas.DeletedFolder(id=deleted)
