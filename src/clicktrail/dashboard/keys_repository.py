"""The API keys page's SQL: listing and revoking a workspace's keys (the API has neither)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.models import APIKey


async def keys_of(session: AsyncSession, workspace_id: str) -> list[APIKey]:
    found = await session.scalars(
        select(APIKey).where(APIKey.workspace_id == workspace_id).order_by(APIKey.created_at)
    )
    return list(found)


async def revoke(session: AsyncSession, workspace_id: str, key_id: str) -> bool:
    done = await session.execute(
        delete(APIKey)
        .where(APIKey.workspace_id == workspace_id, APIKey.id == key_id)
        .returning(APIKey.id)
    )
    return done.scalar() is not None
