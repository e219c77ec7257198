"""Dependencies that make handler signatures read as domain language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.api_keys.service import api_key as api_key_service
from clicktrail.errors import BadRequest, Forbidden, Unauthorized
from clicktrail.kit.crypto import keyed_hash
from clicktrail.models import Plan, Workspace
from clicktrail.runtime import Runtime
from clicktrail.storage.unit import run_after_commit

MISCONFIGURED = (
    "Misconfigured authorization header. Did you forget to add 'Bearer '? "
    "Learn more: https://d.to/auth"
)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def write_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One unit of work: committed before the response is sent, rolled back on any error."""
    async with runtime.db.write_session() as session:
        async with session.begin():
            yield session
        await run_after_commit(session)


async def read_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.db.read_session() as session:
        yield session


WriteSession = Annotated[AsyncSession, Depends(write_session, scope="function")]
ReadSession = Annotated[AsyncSession, Depends(read_session, scope="function")]


# The key as the OpenAPI document declares it (Dub names the scheme `token`). What it reads is
# not used: `bearer_key` reads the header, to answer Dub's errors rather than FastAPI's.
BEARER = HTTPBearer(
    scheme_name="token", description="A workspace API key: `Bearer dub_…`.", auto_error=False
)
DeclaredBearer = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


def bearer_key(request: Request) -> str:
    header = request.headers.get("authorization")
    if header is None:
        raise Unauthorized("Missing Authorization header.")
    if not header.startswith("Bearer "):
        raise BadRequest(MISCONFIGURED)
    return header.removeprefix("Bearer ").strip()


async def current_workspace(
    request: Request, runtime: RuntimeDep, _declared: DeclaredBearer
) -> Workspace:
    """The key's workspace, after its request budget is spent (spec §5.1 steps 1-4)."""
    key = bearer_key(request)
    has_ref = any(p in request.query_params for p in ("workspaceId", "projectSlug"))
    hashed = keyed_hash(runtime.secret, key)
    workspace = await api_key_service.authenticate(
        runtime.keys, key=key, hashed_key=hashed, has_workspace_ref=has_ref
    )
    path = request.url.path
    analytics = "/analytics" in path or "/events" in path
    if analytics and workspace.plan == Plan.free:
        return workspace  # refused by the route's plan check: a 403 says more than a 429
    await runtime.limiter.hit(hashed, workspace.plan, analytics=analytics)
    return workspace


CurrentWorkspace = Annotated[Workspace, Depends(current_workspace)]


async def counted_session(
    runtime: RuntimeDep, workspace: CurrentWorkspace
) -> AsyncIterator[AsyncSession]:
    """A read session for counters and analytics, opened once the workspace's events that
    were committed before the request are folded (docs/reliability.md, "Events first")."""
    # Bounded like any wait on the database: a folder far behind delays reads, never stops them.
    await runtime.folder.caught_up(workspace.id, runtime.settings.database_timeout)
    async with runtime.db.read_session() as session:
        yield session


CountedSession = Annotated[AsyncSession, Depends(counted_session, scope="function")]

CONVERSION_PLANS = frozenset({Plan.business, Plan.advanced, Plan.enterprise})


async def conversion_workspace(workspace: CurrentWorkspace) -> Workspace:
    """Conversion tracking, customers and events need a business plan or higher (§1.1)."""
    if workspace.plan not in CONVERSION_PLANS:
        raise Forbidden("Unauthorized: Need higher plan.")
    return workspace


ConversionWorkspace = Annotated[Workspace, Depends(conversion_workspace)]


async def analytics_workspace(workspace: CurrentWorkspace) -> Workspace:
    """The analytics API needs a paid plan (spec §5.1 step 12)."""
    if workspace.plan == Plan.free:
        raise Forbidden("Analytics API is only available on paid plans.")
    return workspace


AnalyticsWorkspace = Annotated[Workspace, Depends(analytics_workspace)]
