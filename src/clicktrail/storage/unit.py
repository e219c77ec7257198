"""Work that may run only once the request's transaction has committed (cache invalidation,
later webhook wake-ups); dropped with the session on rollback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

Hook = Callable[[], Awaitable[None]]
_KEY = "after_commit"


def after_commit(session: AsyncSession, hook: Hook) -> None:
    hooks: list[Hook] = session.info.setdefault(_KEY, [])
    if hook not in hooks:
        hooks.append(hook)


async def run_after_commit(session: AsyncSession) -> None:
    for hook in session.info.pop(_KEY, []):
        await hook()
