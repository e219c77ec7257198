"""Stopping a server's background tasks (the folder, the webhook dispatcher, the rate refresh)."""

from __future__ import annotations

import asyncio
import contextlib

STOP_GRACE = 5.0  # seconds a stopping server waits for a task's work in flight


async def finish(task: asyncio.Task[None], grace: float = STOP_GRACE) -> None:
    """Wait up to `grace` seconds for a task told to stop to end between two rounds of its
    work; then cancel it. Cancelling mid-round at once could leave the SQLite driver's thread
    answering a loop that is closed by then."""
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
