from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from clicktrail.api.deps import CurrentWorkspace, ReadSession, WriteSession
from clicktrail.api.openapi import BODY, KEYED, PARAMETERS
from clicktrail.webhooks import schemas, service

router = APIRouter(prefix="/webhooks", tags=["Webhooks"], responses=KEYED)


@router.post("", response_model=schemas.CreatedWebhook, status_code=201, responses=BODY)
async def create_webhook(
    body: schemas.WebhookCreate, workspace: CurrentWorkspace, session: WriteSession
) -> schemas.CreatedWebhook:
    """Create a webhook; its `whsec_…` secret is shown in this answer only."""
    return await service.create(session, workspace, body)


@router.get("", response_model=list[schemas.Webhook])
async def list_webhooks(workspace: CurrentWorkspace, session: ReadSession) -> Any:
    """The workspace's webhooks, oldest first."""
    return [service.present(w) for w in await service.list_all(session, workspace)]


@router.get("/{webhook_id}", response_model=schemas.Webhook, responses=PARAMETERS)
async def get_webhook(
    webhook_id: str, workspace: CurrentWorkspace, session: ReadSession
) -> schemas.Webhook:
    return service.present(await service.get(session, workspace, webhook_id))


@router.patch("/{webhook_id}", response_model=schemas.Webhook, responses=BODY | PARAMETERS)
async def update_webhook(
    webhook_id: str, body: schemas.WebhookUpdate, workspace: CurrentWorkspace,
    session: WriteSession,
) -> schemas.Webhook:  # fmt: skip
    """Change name, url or triggers; `disabled` stops or resumes deliveries."""
    return service.present(await service.update_one(session, workspace, webhook_id, body))


@router.delete("/{webhook_id}", response_model=schemas.DeletedWebhook, responses=PARAMETERS)
async def delete_webhook(
    webhook_id: str, workspace: CurrentWorkspace, session: WriteSession
) -> schemas.DeletedWebhook:
    return schemas.DeletedWebhook(id=await service.delete_one(session, workspace, webhook_id))


@router.get("/{webhook_id}/deliveries", response_model=list[schemas.Attempt], responses=PARAMETERS)
async def list_attempts(
    webhook_id: str, workspace: CurrentWorkspace, session: ReadSession
) -> list[schemas.Attempt]:
    """Every attempt to deliver this webhook's events (the latest 100), newest first."""
    return await service.attempts(session, workspace, webhook_id)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/retry",
    response_model=schemas.Redelivery,
    responses=PARAMETERS,
)
async def redeliver(
    webhook_id: str, delivery_id: str, workspace: CurrentWorkspace, session: WriteSession
) -> dict[str, Any]:
    """Deliver an event again now."""
    return await service.redeliver(session, workspace, webhook_id, delivery_id)
