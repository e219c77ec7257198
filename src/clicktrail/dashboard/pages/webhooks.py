"""Webhooks: the list, creating one (its secret shown once), each one's delivery log and retry."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from clicktrail.dashboard import web
from clicktrail.errors import UnprocessableEntity
from clicktrail.webhooks import service as webhook_service
from clicktrail.webhooks.schemas import Trigger, WebhookCreate

router = APIRouter()
TRIGGERS = [t.value for t in Trigger]


async def _list(
    request: Request, here: web.Place, session: web.Session, secret: str | None = None
) -> Response:
    found = await webhook_service.list_all(session, here.workspace)
    return web.render(
        request, "webhooks.html", here=here, webhooks=found, secret=secret, triggers=TRIGGERS
    )


@router.get("/{slug}/webhooks")
async def page(request: Request, here: web.Here, session: web.Session) -> Response:
    return await _list(request, here, session)


@router.post("/{slug}/webhooks")
async def create(
    request: Request, here: web.Here, fields: web.OwnerChange, session: web.Session
) -> Response:
    url = fields.get("url", "").strip()
    chosen = [t for t in TRIGGERS if fields.get(f"trigger:{t}")]
    try:
        body = WebhookCreate.model_validate(
            {"name": fields.get("name", "").strip() or url, "url": url, "triggers": chosen}
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise UnprocessableEntity(f"{first['loc'][0]}: {first['msg']}") from error
    made = await webhook_service.create(session, here.workspace, body)
    return await _list(request, here, session, secret=made.secret)


@router.get("/{slug}/webhooks/{webhook_id}")
async def deliveries(
    request: Request, webhook_id: str, here: web.Here, session: web.Session
) -> Response:
    webhook = await webhook_service.get(session, here.workspace, webhook_id)
    log = await webhook_service.attempts(session, here.workspace, webhook_id)
    return web.render(request, "webhook.html", here=here, webhook=webhook, attempts=log)


@router.post("/{slug}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry(
    webhook_id: str, delivery_id: str, here: web.Here, _fields: web.OwnerChange,
    session: web.Session,
) -> Response:  # fmt: skip
    await webhook_service.redeliver(session, here.workspace, webhook_id, delivery_id)
    return web.redirect(f"{here.base()}/webhooks/{webhook_id}")
