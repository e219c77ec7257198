"""The API keys page's SQL: listing a workspace's keys (the API has no such route)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.models import APIKey


async def keys_of(session: AsyncSession, workspace_id: str) -> list[APIKey]:
    found = await session.scalars(
        select(APIKey).where(APIKey.workspace_id == workspace_id).order_by(APIKey.created_at)
    )
    return list(found)
