"""Managing a workspace's webhooks, and reading and repeating their deliveries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.errors import NotFound, UnprocessableEntity
from clicktrail.kit.clock import iso, utcnow
from clicktrail.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent, Workspace
from clicktrail.webhooks import schemas
from clicktrail.webhooks.safety import UnsafeDestination, check_url
from clicktrail.webhooks.signing import new_secret

MOST_ATTEMPTS = 100


def _checked_url(url: str) -> str:
    try:
        check_url(url)
    except UnsafeDestination as error:
        raise UnprocessableEntity(f"custom: url: {error}") from error
    return url


def present(webhook: Webhook) -> schemas.Webhook:
    return schemas.Webhook(
        id=webhook.id, name=webhook.name, url=webhook.url, triggers=list(webhook.triggers),
        disabled_at=iso(webhook.disabled_at), consecutive_failures=webhook.consecutive_failures,
        created_at=iso(webhook.created_at) or "", updated_at=iso(webhook.updated_at) or "",
    )  # fmt: skip


async def create(
    session: AsyncSession, workspace: Workspace, body: schemas.WebhookCreate
) -> schemas.CreatedWebhook:
    webhook = Webhook(
        workspace_id=workspace.id, name=body.name, url=_checked_url(body.url),
        triggers=[t.value for t in dict.fromkeys(body.triggers)], secret=new_secret(),
    )  # fmt: skip
    session.add(webhook)
    await session.flush()
    return schemas.CreatedWebhook(**present(webhook).model_dump(), secret=webhook.secret)


async def get(session: AsyncSession, workspace: Workspace, webhook_id: str) -> Webhook:
    found = await session.scalar(
        select(Webhook).where(Webhook.id == webhook_id, Webhook.workspace_id == workspace.id)
    )
    if found is None:
        raise NotFound("Webhook not found.")
    return found


async def list_all(session: AsyncSession, workspace: Workspace) -> list[Webhook]:
    found = await session.scalars(
        select(Webhook).where(Webhook.workspace_id == workspace.id).order_by(Webhook.created_at)
    )
    return list(found)


async def update_one(
    session: AsyncSession, workspace: Workspace, webhook_id: str, body: schemas.WebhookUpdate
) -> Webhook:
    webhook = await get(session, workspace, webhook_id)
    if body.name is not None:
        webhook.name = body.name
    if body.url is not None:
        webhook.url = _checked_url(body.url)
    if body.triggers is not None:
        webhook.triggers = [t.value for t in dict.fromkeys(body.triggers)]
    if body.disabled is True and webhook.disabled_at is None:
        webhook.disabled_at = utcnow()
    elif body.disabled is False:
        webhook.disabled_at, webhook.consecutive_failures = None, 0
    webhook.updated_at = utcnow()
    await session.flush()
    return webhook


async def delete_one(session: AsyncSession, workspace: Workspace, webhook_id: str) -> str:
    webhook = await get(session, workspace, webhook_id)
    await session.execute(delete(Webhook).where(Webhook.id == webhook.id))
    return webhook.id


async def attempts(
    session: AsyncSession, workspace: Workspace, webhook_id: str
) -> list[schemas.Attempt]:
    """The latest attempts to deliver this webhook's events, newest first."""
    webhook = await get(session, workspace, webhook_id)
    rows = await session.execute(
        select(WebhookAttempt, WebhookDelivery.event_id, WebhookDelivery.status, WebhookEvent.event)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.webhook_id == webhook.id)
        .order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id.desc())
        .limit(MOST_ATTEMPTS)
    )
    return [_attempt(*row) for row in rows]


def _attempt(attempt: WebhookAttempt, event_id: str, status: str, event: str) -> schemas.Attempt:
    return schemas.Attempt(
        delivery_id=attempt.delivery_id, event_id=event_id, event=event, delivery_status=status,
        attempted_at=iso(attempt.attempted_at) or "", http_status=attempt.http_status,
        duration_ms=attempt.duration_ms, response=attempt.response, error=attempt.error,
    )  # fmt: skip


async def redeliver(
    session: AsyncSession, workspace: Workspace, webhook_id: str, delivery_id: str
) -> dict[str, Any]:
    """Send a delivery again now, whatever became of it: a fresh window of retries."""
    webhook = await get(session, workspace, webhook_id)
    now = utcnow()
    done = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook.id)
        .values(status="pending", next_attempt_at=now, created_at=now)
        .returning(WebhookDelivery.event_id)
    )
    event_id = done.scalar()
    if event_id is None:
        raise NotFound("Delivery not found.")
    return {"deliveryId": delivery_id, "eventId": event_id, "status": "pending"}
