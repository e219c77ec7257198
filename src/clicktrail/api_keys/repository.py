from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.models import APIKey, Workspace


class APIKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, key: APIKey) -> APIKey:
        self.session.add(key)
        await self.session.flush()
        return key

    async def find(self, hashed_key: str) -> tuple[APIKey, Workspace] | None:
        stmt = (
            select(APIKey, Workspace)
            .join(Workspace, Workspace.id == APIKey.workspace_id)
            .where(APIKey.hashed_key == hashed_key)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def delete(self, *, workspace_id: str, key_id: str) -> bool:
        stmt = delete(APIKey).where(APIKey.id == key_id, APIKey.workspace_id == workspace_id)
        result = await self.session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]
