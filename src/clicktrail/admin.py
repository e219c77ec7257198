"""What the command line does, as plain async functions over the services."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.accounts import service as accounts
from clicktrail.analytics.rebuild import Scope, rebuild
from clicktrail.api_keys.service import api_key as api_key_service
from clicktrail.config import Settings
from clicktrail.errors import Conflict, NotFound
from clicktrail.folding.folder import Folder
from clicktrail.fx import repository as fx_repository
from clicktrail.fx.service import age_days
from clicktrail.kit.clock import utcnow
from clicktrail.kit.currency import RateTable, bundled_rates
from clicktrail.links.present import present
from clicktrail.links.schemas import LinkCreate
from clicktrail.links.service import link as link_service
from clicktrail.models import Plan, Role
from clicktrail.storage.db import Database
from clicktrail.storage.epoch import Epoch, open_epoch
from clicktrail.storage.instance import instance_secret
from clicktrail.storage.unit import run_after_commit
from clicktrail.webhooks import service as webhook_service
from clicktrail.webhooks.dispatcher import Dispatcher
from clicktrail.webhooks.schemas import WebhookCreate
from clicktrail.workspaces.repository import WorkspaceRepository
from clicktrail.workspaces.service import workspace as workspace_service

T = TypeVar("T")
FOLD_WAIT = 120.0  # seconds a rebuild waits for the events pending before it to be folded


@dataclass
class Context:
    settings: Settings
    session: AsyncSession
    secret: bytes
    epoch: Epoch


@asynccontextmanager
async def _context(settings: Settings) -> AsyncIterator[Context]:
    db = Database(settings)
    epoch = await open_epoch(settings.database_url, settings.redis_url)
    try:
        secret = await instance_secret(db, settings)
        async with db.write_session() as session:
            async with session.begin():
                yield Context(settings, session, secret, epoch)
            await run_after_commit(session)
    finally:
        await epoch.close()
        await db.dispose()


async def run(settings: Settings, action: Callable[[Context], Awaitable[T]]) -> T:
    """One unit of work, committed when `action` returns."""
    async with _context(settings) as ctx:
        return await action(ctx)


def workspace_json(ws: Any) -> dict[str, Any]:
    return {"id": ws.id, "name": ws.name, "slug": ws.slug, "plan": ws.plan}


async def create_workspace(ctx: Context, name: str, slug: str | None, plan: str) -> dict[str, Any]:
    ws = await workspace_service.create(ctx.session, name=name, slug=slug, plan=plan)
    return workspace_json(ws)


async def create_key(
    ctx: Context, workspace_slug: str, name: str, expires_at: datetime | None = None
) -> dict[str, Any]:
    ws = await workspace_service.by_slug(ctx.session, workspace_slug)
    new = await api_key_service.create(
        ctx.session, workspace=ws, secret=ctx.secret, name=name, expires_at=expires_at
    )
    return {
        "id": new.record.id,
        "name": new.record.name,
        "key": new.key,
        "partialKey": new.record.partial_key,
        "workspaceId": ws.id,
        "workspace": ws.slug,
    }


async def revoke_key(ctx: Context, workspace_slug: str, key_id: str) -> dict[str, Any]:
    ws = await workspace_service.by_slug(ctx.session, workspace_slug)
    await api_key_service.revoke(ctx.session, workspace=ws, key_id=key_id, epoch=ctx.epoch)
    return {"id": key_id, "workspace": ws.slug, "revoked": True}


async def change_plan(ctx: Context, workspace_slug: str, plan: str) -> dict[str, Any]:
    ws = await workspace_service.change_plan(
        ctx.session, slug=workspace_slug, plan=plan, epoch=ctx.epoch
    )
    return workspace_json(ws)


async def create_link(ctx: Context, workspace_slug: str, body: LinkCreate) -> dict[str, Any]:
    ws = await workspace_service.by_slug(ctx.session, workspace_slug)
    link = await link_service.create(
        ctx.session, workspace=ws, body=body, settings=ctx.settings, epoch=ctx.epoch
    )
    return present(link, ctx.settings).model_dump(mode="json", by_alias=True)


async def bootstrap(ctx: Context) -> dict[str, Any] | None:
    """On an empty database: a `demo` workspace on the business plan and one API key."""
    if await WorkspaceRepository(ctx.session).count() > 0:
        return None
    ws = await workspace_service.create(
        ctx.session, name="Demo", slug="demo", plan=Plan.business.value
    )
    key = await create_key(ctx, ws.slug, "Default")
    owner = await create_user(ctx, DEMO_OWNER, ws.slug, Role.owner)
    return {"workspace": workspace_json(ws), "key": key, "user": owner}


DEMO_OWNER = "owner@example.com"


async def create_user(
    ctx: Context, email: str, workspace_slug: str, role: Role, password: str | None = None
) -> dict[str, Any]:
    """A dashboard user in the workspace; `password` is generated (and returned once) if None."""
    ws = await workspace_service.by_slug(ctx.session, workspace_slug)
    made = await accounts.create_user(
        ctx.session, email=email, workspace=ws, role=role, password=password
    )
    return {
        "id": made.user.id,
        "email": made.user.email,
        "workspace": ws.slug,
        "role": role.value,
        "password": made.password,
        "addedToExisting": made.added_to_existing,
    }


async def load_rates(ctx: Context, table: RateTable) -> dict[str, Any]:
    await fx_repository.add(ctx.session, table)
    return rates_json(table)


async def current_rates(ctx: Context) -> dict[str, Any]:
    connection = await ctx.session.connection()
    return rates_json(await fx_repository.newest(connection) or bundled_rates())


def rates_json(table: RateTable) -> dict[str, Any]:
    return {
        "date": table.as_of.isoformat(),
        "ageDays": age_days(table, utcnow().date()),
        "source": table.source,
        "currencies": len(table.rates) + 1,
    }


async def fold_pending(settings: Settings, most: float = FOLD_WAIT) -> None:
    """Fold every event not yet folded (those a server has not reached, or written behind its
    back), so that a rebuild counts them and no folder adds them again afterwards."""
    db = Database(settings)
    folder = Folder(db)
    try:
        if not await folder.drain(most):
            raise Conflict(f"Events were still being folded after {most:g} s; try again")
    finally:
        await folder.release()
        await db.dispose()


async def rebuild_rollups(ctx: Context, workspace_slug: str | None) -> dict[str, Any]:
    """Recompute analytics rollups from the stored events (all workspaces, or one), once
    `fold_pending` has run."""
    scope = Scope()
    if workspace_slug is not None:
        ws = await WorkspaceRepository(ctx.session).get_by_slug(workspace_slug)
        if ws is None:
            raise NotFound(f"Workspace not found: {workspace_slug}")
        scope = Scope(workspace_id=ws.id)
    started = time.perf_counter()
    rows = await ctx.session.run_sync(lambda session: rebuild(session.connection(), scope))
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 3)}


async def create_webhook(
    ctx: Context, workspace_slug: str, url: str, triggers: list[str], name: str | None
) -> dict[str, Any]:
    ws = await WorkspaceRepository(ctx.session).get_by_slug(workspace_slug)
    if ws is None:
        raise NotFound(f"Workspace not found: {workspace_slug}")
    body = WebhookCreate.model_validate({"name": name or url, "url": url, "triggers": triggers})
    created = await webhook_service.create(ctx.session, ws, body)
    return created.model_dump(mode="json", by_alias=True)


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """Deliver webhooks until `stop` is set (`clicktrail worker`)."""
    db = Database(settings)
    dispatcher = Dispatcher(db, settings)
    dispatcher.start()
    try:
        await stop.wait()
    finally:
        await dispatcher.close()
        await db.dispose()
