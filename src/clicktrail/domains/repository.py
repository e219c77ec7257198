from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.models import Domain, Link


class DomainRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, workspace_id: str, slug: str) -> Domain | None:
        stmt = select(Domain).where(Domain.workspace_id == workspace_id, Domain.domain == slug)
        return await self.session.scalar(stmt.with_for_update())

    async def page(
        self, workspace_id: str, *, archived: bool, search: str | None, page: int, size: int
    ) -> list[Domain]:
        stmt = select(Domain).where(
            Domain.workspace_id == workspace_id, Domain.archived.is_(archived)
        )
        if search:
            stmt = stmt.where(Domain.domain.icontains(search, autoescape=True))
        stmt = stmt.order_by(Domain.created_at.desc(), Domain.domain)
        return list((await self.session.scalars(stmt.limit(size).offset((page - 1) * size))).all())

    async def link_count(self, slug: str) -> int:
        stmt = select(func.count()).select_from(Link).where(Link.domain == slug)
        return int(await self.session.scalar(stmt) or 0)

    async def remove(self, domain: Domain) -> None:
        await self.session.delete(domain)
        await self.session.flush()
