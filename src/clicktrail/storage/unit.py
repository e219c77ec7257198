"""Work that may run only once the request's transaction has committed (cache invalidation,
later webhook wake-ups); dropped with the session on rollback."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

Hook = Callable[[], Awaitable[None]]
log = logging.getLogger(__name__)
_KEY = "after_commit"


def after_commit(session: AsyncSession, hook: Hook) -> None:
    hooks: list[Hook] = session.info.setdefault(_KEY, [])
    if hook not in hooks:
        hooks.append(hook)


def take_after_commit(session: AsyncSession) -> list[Hook]:
    """The hooks added so far, which the caller now owns (storage/batches.py)."""
    hooks: list[Hook] = session.info.pop(_KEY, [])
    return hooks


async def run_after_commit(session: AsyncSession) -> None:
    await run_hooks(take_after_commit(session))


async def run_hooks(hooks: list[Hook]) -> None:
    """The transaction is committed: a failing hook is logged, never reported as a failure of
    the request (its client would retry and store the change twice)."""
    for hook in hooks:
        try:
            await hook()
        except Exception:
            log.exception("after-commit hook %r failed", hook)
