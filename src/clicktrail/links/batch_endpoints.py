"""`PUT /links/upsert` and `/links/bulk`: mounted before `/links/{id}`, which would take them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from clicktrail.api.deps import CurrentWorkspace, RuntimeDep, WriteSession
from clicktrail.api.openapi import BODY, KEYED, PARAMETERS, errors
from clicktrail.config import Settings
from clicktrail.errors import BadRequest, Conflict, Forbidden
from clicktrail.links import batch, schemas
from clicktrail.links.present import present

router = APIRouter(prefix="/links", tags=["Links"], responses=KEYED)
WRITE = BODY | PARAMETERS | errors(Forbidden, Conflict)
MAX_BULK = 100
Answer = list[schemas.Link | schemas.LinkError]


def _shown(done: list[batch.Done], settings: Settings) -> Answer:
    return [d if isinstance(d, schemas.LinkError) else present(d, settings) for d in done]


@router.put("/upsert", response_model=schemas.Link, responses=WRITE)
async def upsert_link(
    body: schemas.LinkCreate, workspace: CurrentWorkspace, session: WriteSession,
    runtime: RuntimeDep,
) -> schemas.Link:  # fmt: skip
    """The workspace's link to `url`, updated with the fields sent; created if there is none."""
    found = await batch.upsert(
        session, workspace=workspace, body=body, settings=runtime.settings, epoch=runtime.epoch
    )
    return present(found, runtime.settings)


@router.post("/bulk", response_model=Answer, responses=BODY | errors(BadRequest))
async def bulk_create_links(
    bodies: Annotated[list[schemas.LinkCreate], Body(min_length=1, max_length=MAX_BULK)],
    workspace: CurrentWorkspace, session: WriteSession, runtime: RuntimeDep,
) -> Answer:  # fmt: skip
    """Up to 100 links: those made, then `{link, error, code}` for each that was not. Two items
    with one domain and key are refused (400). No webhook is sent, as on Dub."""
    done = await batch.create_many(
        session, workspace=workspace, bodies=bodies, settings=runtime.settings,
        epoch=runtime.epoch,
    )  # fmt: skip
    return _shown(done, runtime.settings)


@router.patch("/bulk", response_model=Answer | str, responses=BODY)
async def bulk_update_links(
    body: schemas.BulkUpdate, workspace: CurrentWorkspace, session: WriteSession,
    runtime: RuntimeDep,
) -> Answer | str:  # fmt: skip
    """Up to 100 links by id (or external id) get `data`: the links updated, then
    `{link, error, code}` for each id that names none. No webhook is sent, as on Dub."""
    done = await batch.update_many(
        session, workspace=workspace, body=body, settings=runtime.settings, epoch=runtime.epoch
    )
    return done if isinstance(done, str) else _shown(done, runtime.settings)


@router.delete("/bulk", response_model=schemas.DeletedCount, responses=PARAMETERS)
async def bulk_delete_links(
    workspace: CurrentWorkspace, session: WriteSession, runtime: RuntimeDep,
    link_ids: Annotated[list[str], Query(alias="linkIds", max_length=MAX_BULK)] = [],  # noqa: B006 - FastAPI copies it
) -> schemas.DeletedCount:  # fmt: skip
    """Up to 100 links by id or `ext_<externalId>` (comma-separated or repeated); unknown ids
    are passed over. Each goes the way of `DELETE /links/{id}`, without its webhook (as Dub)."""
    deleted = await batch.delete_many(
        session, workspace=workspace, link_ids=link_ids, settings=runtime.settings,
        epoch=runtime.epoch,
    )  # fmt: skip
    return schemas.DeletedCount(deleted_count=deleted)
