from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.models import Folder, Link


class FolderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, workspace_id: str, folder_id: str) -> Folder | None:
        stmt = select(Folder).where(Folder.workspace_id == workspace_id, Folder.id == folder_id)
        return await self.session.scalar(stmt)

    async def named(self, workspace_id: str, name: str) -> Folder | None:
        stmt = select(Folder).where(Folder.workspace_id == workspace_id, Folder.name == name)
        return await self.session.scalar(stmt)

    async def page(
        self, workspace_id: str, *, search: str | None, page: int, size: int
    ) -> list[Folder]:
        stmt = select(Folder).where(Folder.workspace_id == workspace_id)
        if search:
            stmt = stmt.where(Folder.name.icontains(search, autoescape=True))
        stmt = stmt.order_by(Folder.created_at.desc(), Folder.id.desc())
        return list((await self.session.scalars(stmt.limit(size).offset((page - 1) * size))).all())

    async def link_count(self, folder: Folder) -> int:
        stmt = (
            select(func.count())
            .select_from(Link)
            .where(Link.workspace_id == folder.workspace_id, Link.folder_id == folder.id)
        )
        return int(await self.session.scalar(stmt) or 0)
