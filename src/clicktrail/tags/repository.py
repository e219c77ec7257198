from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.models import LinkTag, Tag
from clicktrail.tags.schemas import TagOrder, TagSort

_SORT = {TagSort.name: Tag.name, TagSort.created_at: Tag.created_at}


class TagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, workspace_id: str, tag_id: str) -> Tag | None:
        stmt = select(Tag).where(Tag.workspace_id == workspace_id, Tag.id == tag_id)
        return await self.session.scalar(stmt)

    async def named(self, workspace_id: str, name: str) -> Tag | None:
        stmt = select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name)
        return await self.session.scalar(stmt)

    async def with_ids(self, workspace_id: str, ids: Collection[str]) -> list[Tag]:
        stmt = select(Tag).where(Tag.workspace_id == workspace_id, Tag.id.in_(ids))
        return list((await self.session.scalars(stmt)).all())

    async def with_names(self, workspace_id: str, names: Collection[str]) -> list[Tag]:
        """By name, case-insensitively (as Dub's MySQL compares them)."""
        folded = {name.lower() for name in names}
        stmt = select(Tag).where(Tag.workspace_id == workspace_id, func.lower(Tag.name).in_(folded))
        return list((await self.session.scalars(stmt)).all())

    async def page(
        self, workspace_id: str, *, search: str | None, ids: list[str] | None, sort: TagSort,
        order: TagOrder, page: int, size: int,
    ) -> list[Tag]:  # fmt: skip
        stmt = select(Tag).where(Tag.workspace_id == workspace_id)
        if search:
            stmt = stmt.where(Tag.name.icontains(search, autoescape=True))
        if ids is not None:
            stmt = stmt.where(Tag.id.in_(ids))
        column = _SORT[sort]
        ordering = column.asc() if order is TagOrder.asc else column.desc()
        stmt = stmt.order_by(ordering, Tag.id.asc()).limit(size).offset((page - 1) * size)
        return list((await self.session.scalars(stmt)).all())

    async def remove(self, tag: Tag) -> None:
        """The tag, and with it every link's use of it."""
        await self.session.execute(delete(LinkTag).where(LinkTag.tag_id == tag.id))
        await self.session.execute(delete(Tag).where(Tag.id == tag.id))
