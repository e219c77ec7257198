from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.errors import Conflict, NotFound, UnprocessableEntity
from clicktrail.models import Plan, Workspace
from clicktrail.storage.epoch import Epoch
from clicktrail.storage.unit import after_commit
from clicktrail.workspaces.repository import WorkspaceRepository

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48] or "workspace"


def _check_plan(plan: str) -> None:
    if plan not in Plan.__members__:
        options = ", ".join(Plan.__members__)
        raise UnprocessableEntity(f"Invalid plan {plan!r}: expected one of {options}.")


class WorkspaceService:
    async def create(
        self, session: AsyncSession, *, name: str, slug: str | None = None, plan: str = "free"
    ) -> Workspace:
        slug = slug or slugify(name)
        if not _SLUG.match(slug):
            raise UnprocessableEntity(
                f"Invalid slug {slug!r}: use 1-48 lower-case letters, digits and hyphens."
            )
        _check_plan(plan)
        repo = WorkspaceRepository(session)
        if await repo.get_by_slug(slug) is not None:
            raise Conflict(f"A workspace with the slug {slug!r} already exists.")
        return await repo.add(Workspace(name=name, slug=slug, plan=plan))

    async def change_plan(
        self, session: AsyncSession, *, slug: str, plan: str, epoch: Epoch
    ) -> Workspace:
        """Every worker forgets the workspace it remembered with its keys once this commits."""
        _check_plan(plan)
        found = await self.by_slug(session, slug)
        found.plan = plan
        await session.flush()
        after_commit(session, epoch.bump)
        return found

    async def by_slug(self, session: AsyncSession, slug: str) -> Workspace:
        found = await WorkspaceRepository(session).get_by_slug(slug)
        if found is None:
            raise NotFound(f"Workspace {slug!r} not found.")
        return found


workspace = WorkspaceService()
