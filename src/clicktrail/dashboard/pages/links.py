"""Links: search, sort and page; per-link numbers; create, edit, archive and delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from clicktrail.dashboard import numbers, web
from clicktrail.errors import UnprocessableEntity
from clicktrail.links.present import short_link
from clicktrail.links.repository import LinkFilter
from clicktrail.links.schemas import LinkCreate, LinkSort, LinkUpdate, SortOrder
from clicktrail.links.service import link as link_service

router = APIRouter()
PAGE_SIZE = 25
EDITABLE = ("url", "key", "title", "comments")


def _choice(raw: str | None, allowed: type[Any], default: Any) -> Any:
    try:
        return allowed(raw) if raw else default
    except ValueError:
        return default


@router.get("/{slug}/links")
async def list_links(
    request: Request, here: web.Here, session: web.Session, runtime: web.RuntimeDep
) -> Response:
    params = dict(request.query_params)
    sort = _choice(params.get("sort"), LinkSort, LinkSort.created_at)
    order = _choice(params.get("order"), SortOrder, SortOrder.desc)
    page = max(1, int(params["page"])) if params.get("page", "").isdigit() else 1
    where = LinkFilter(here.workspace.id, search=params.get("q") or None,
                       show_archived=params.get("archived") == "1")  # fmt: skip
    found = await link_service.list_links(
        session, where=where, sort=sort, order=order, page=page, page_size=PAGE_SIZE
    )
    total = await link_service.count(session, where=where)
    stats = await numbers.per_link(session, runtime, here.workspace, [x.id for x in found])
    rows = [
        {"link": x, "short": short_link(runtime.settings, x.domain, x.key),
         "stats": stats.get(x.id, {})}
        for x in found
    ]  # fmt: skip
    return web.render(
        request, "links.html", here=here, rows=rows, params=params, sort=sort.value,
        order=order.value, page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total,
        sorts=[s.value for s in LinkSort], link_to=web.with_query,
        window=numbers.widest(here.workspace).value,
    )  # fmt: skip


def _fields(fields: dict[str, str]) -> dict[str, Any]:
    return {name: fields[name].strip() or None for name in EDITABLE if name in fields}


def _invalid(error: ValidationError) -> UnprocessableEntity:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return UnprocessableEntity(f"{where}: {first['msg']}")


@router.post("/{slug}/links")
async def create(
    here: web.Here, fields: web.Change, session: web.Session, runtime: web.RuntimeDep
) -> Response:
    try:
        tracked = {"trackConversion": fields.get("trackConversion") == "1"}
        body = LinkCreate.model_validate(_fields(fields) | tracked)
    except ValidationError as error:
        raise _invalid(error) from error
    await link_service.create(
        session, workspace=here.workspace, body=body, settings=runtime.settings,
        epoch=runtime.epoch,
    )  # fmt: skip
    return web.redirect(f"{here.base()}/links")


@router.get("/{slug}/links/{link_id}")
async def edit_form(
    request: Request, link_id: str, here: web.Here, session: web.Session
) -> Response:
    found = await link_service.get(session, workspace=here.workspace, link_id=link_id)
    return web.render(request, "link_edit.html", here=here, link=found)


@router.post("/{slug}/links/{link_id}")
async def update(
    link_id: str, here: web.Here, fields: web.Change, session: web.Session,
    runtime: web.RuntimeDep,
) -> Response:  # fmt: skip
    values = _fields(fields)
    if "archived" in fields:
        values = {"archived": fields["archived"] == "1"}
    try:
        body = LinkUpdate.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as error:
        raise _invalid(error) from error
    await link_service.update(
        session, workspace=here.workspace, link_id=link_id, body=body,
        settings=runtime.settings, epoch=runtime.epoch,
    )  # fmt: skip
    return web.redirect(f"{here.base()}/links")


@router.post("/{slug}/links/{link_id}/delete")
async def delete(
    link_id: str, here: web.Here, _fields: web.Change, session: web.Session,
    runtime: web.RuntimeDep,
) -> Response:  # fmt: skip
    await link_service.delete(
        session, workspace=here.workspace, link_id=link_id, settings=runtime.settings,
        epoch=runtime.epoch,
    )  # fmt: skip
    return web.redirect(f"{here.base()}/links")
