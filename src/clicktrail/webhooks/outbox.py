"""The transactional outbox: an event is written in the transaction of what caused it, with a
pending delivery for each webhook that subscribes to it. Rolled back, it never existed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from clicktrail.kit import jsontext
from clicktrail.kit.clock import iso, utcnow
from clicktrail.kit.ids import nanoid, prefixed_id
from clicktrail.models import Webhook, WebhookDelivery, WebhookEvent

Executor = AsyncConnection | AsyncSession
Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Event:
    workspace_id: str
    trigger: str
    data: dict[str, Any]


# built once: executed with a list of workspace ids
_ENABLED = select(Webhook.id, Webhook.workspace_id, Webhook.triggers).where(
    Webhook.workspace_id.in_(bindparam("workspace_ids", expanding=True)),
    Webhook.disabled_at.is_(None),
)


async def subscribers(
    executor: Executor, workspace_ids: Iterable[str], trigger: str
) -> dict[str, list[str]]:
    """Enabled webhooks subscribed to `trigger`, by workspace: {workspace id: [webhook ids]}."""
    rows = await executor.execute(_ENABLED, {"workspace_ids": list(set(workspace_ids))})
    found: dict[str, list[str]] = {}
    for webhook_id, workspace_id, triggers in rows:
        if trigger in triggers:
            found.setdefault(workspace_id, []).append(webhook_id)
    return found


async def enqueue(
    executor: Executor, events: Sequence[Event], targets: dict[str, list[str]]
) -> None:
    """Write each event once, and a delivery of it to each of its workspace's `targets`."""
    now = utcnow()
    event_rows: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for event in events:
        webhooks = targets.get(event.workspace_id, [])
        if not webhooks:
            continue
        event_id = f"evt_{nanoid(25)}"
        envelope = {"id": event_id, "event": event.trigger, "createdAt": iso(now),
                    "data": event.data}  # fmt: skip
        event_rows.append({
            "id": event_id, "workspace_id": event.workspace_id, "event": event.trigger,
            "body": jsontext.dumps(envelope), "created_at": now,
        })  # fmt: skip
        deliveries += [
            {"id": prefixed_id("whd"), "webhook_id": webhook_id, "event_id": event_id,
             "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
            for webhook_id in webhooks
        ]  # fmt: skip
    if event_rows:
        await executor.execute(insert(WebhookEvent), event_rows)
        await executor.execute(insert(WebhookDelivery), deliveries)


async def emit(
    executor: Executor, workspace_id: str, trigger: str, data: Callable[[], Awaitable[Payload]]
) -> None:
    """One event, if anybody subscribes to it; `data` builds its payload only then."""
    targets = await subscribers(executor, [workspace_id], trigger)
    if targets:
        await enqueue(executor, [Event(workspace_id, trigger, await data())], targets)
