"""API keys: the workspace's keys; an owner creates one (shown once) or revokes one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from clicktrail.api_keys.service import api_key as api_key_service
from clicktrail.dashboard import keys_repository, web
from clicktrail.errors import UnprocessableEntity

router = APIRouter()
MOST_NAME = 190


async def _page(
    request: Request, here: web.Place, session: web.Session, new_key: str | None = None
) -> Response:
    found = await keys_repository.keys_of(session, here.workspace.id)
    return web.render(request, "keys.html", here=here, keys=found, new_key=new_key)


@router.get("/{slug}/keys")
async def page(request: Request, here: web.Here, session: web.Session) -> Response:
    return await _page(request, here, session)


@router.post("/{slug}/keys")
async def create(
    request: Request, here: web.Here, fields: web.OwnerChange, session: web.Session,
    runtime: web.RuntimeDep,
) -> Response:  # fmt: skip
    name = fields.get("name", "").strip() or "Default"
    if len(name) > MOST_NAME:
        raise UnprocessableEntity(f"name: at most {MOST_NAME} characters")
    made = await api_key_service.create(
        session, workspace=here.workspace, secret=runtime.secret, name=name
    )
    return await _page(request, here, session, new_key=made.key)


@router.post("/{slug}/keys/{key_id}/revoke")
async def revoke(
    key_id: str, here: web.Here, _fields: web.OwnerChange, session: web.Session,
    runtime: web.RuntimeDep,
) -> Response:  # fmt: skip
    """As the API's revoke: every worker forgets the key once the deletion is committed."""
    await api_key_service.revoke(
        session, workspace=here.workspace, key_id=key_id, epoch=runtime.epoch
    )
    return web.redirect(f"{here.base()}/keys")
