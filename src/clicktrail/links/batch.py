"""Dub's upsert and bulk operations on links, each item through the single-link service, so
that every rule (and every later change to create, update and delete) applies to it.

As on Dub, a bulk operation sends no webhook; one item that fails is reported beside the others
and leaves nothing behind (each item runs in its own savepoint)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.config import Settings
from clicktrail.errors import AppError, BadRequest, NotFound
from clicktrail.links import rules
from clicktrail.links.repository import LinkRepository
from clicktrail.links.schemas import BulkUpdate, LinkCreate, LinkError, LinkUpdate
from clicktrail.links.service import link as link_service
from clicktrail.models import Link, Workspace
from clicktrail.storage.epoch import Epoch

NO_IDS = (
    "Please provide linkIds to delete. You may use `linkId` or `externalId` prefixed with "
    "`ext_` as comma separated values."
)
NO_LINKS_TO_UPDATE = "No links to update"
NOT_FOUND = "Link not found"
FIXED_IN_BULK = {"domain", "key", "external_id"}  # Dub's bulk update leaves these out


async def upsert(
    session: AsyncSession, *, workspace: Workspace, body: LinkCreate, settings: Settings,
    epoch: Epoch,
) -> Link:  # fmt: skip
    """The workspace's (oldest) link to `url`, updated with what the body names; else a new
    link."""
    found = await LinkRepository(session).first_with_url(workspace.id, rules.clean_url(body.url))
    if found is None:
        return await link_service.create(
            session, workspace=workspace, body=body, settings=settings, epoch=epoch
        )
    update = _update_of(body, body.model_fields_set - {"key_length", "prefix"})
    return await link_service.update(
        session, workspace=workspace, link_id=found.id, body=update, settings=settings,
        epoch=epoch,
    )  # fmt: skip


def _update_of(body: LinkCreate | LinkUpdate, fields: set[str]) -> LinkUpdate:
    return LinkUpdate.model_validate(body.model_dump(by_alias=True, include=fields))


Done = Link | LinkError


async def _each(
    session: AsyncSession, given: dict[str, object], step: Callable[[], Awaitable[Link]]
) -> Done:
    """One item in its own savepoint: done, or its error and nothing of it written."""
    try:
        async with session.begin_nested():
            return await step()
    except AppError as error:
        return LinkError(link=given, error=error.message, code=error.code)


def _refuse_duplicates(bodies: list[LinkCreate], settings: Settings) -> None:
    seen: set[tuple[str, str]] = set()
    repeated: list[str] = []
    for body in bodies:
        if not body.key:
            continue
        short = ((body.domain or settings.short_domain).lower(), body.key.lower())
        if short in seen:
            repeated.append("/".join(short))
        seen.add(short)
    if repeated:
        raise BadRequest(f"Duplicate links found: {', '.join(repeated)}")


async def create_many(
    session: AsyncSession, *, workspace: Workspace, bodies: list[LinkCreate], settings: Settings,
    epoch: Epoch,
) -> list[Done]:  # fmt: skip
    """Dub's answer: the links made, then the items that failed."""
    _refuse_duplicates(bodies, settings)
    done: list[Done] = []
    for body in bodies:

        async def step(body: LinkCreate = body) -> Link:
            return await link_service.create(
                session, workspace=workspace, body=body, settings=settings, epoch=epoch,
                announce=False,
            )  # fmt: skip

        done.append(await _each(session, _given(body), step))
    return _links_first(done)


def _given(body: LinkCreate | LinkUpdate) -> dict[str, Any]:
    return body.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _links_first(done: list[Done]) -> list[Done]:
    return [d for d in done if isinstance(d, Link)] + [d for d in done if isinstance(d, LinkError)]


async def update_many(
    session: AsyncSession, *, workspace: Workspace, body: BulkUpdate, settings: Settings,
    epoch: Epoch,
) -> list[Done] | str:  # fmt: skip
    """By `linkIds`, or else by `externalIds`; an id that names no link is a `not_found` item."""
    if body.link_ids:
        targets: list[tuple[str, dict[str, Any]]] = [
            (link_id, {"id": link_id}) for link_id in dict.fromkeys(body.link_ids)
        ]
    elif body.external_ids:
        ids = dict.fromkeys(e.removeprefix("ext_") for e in body.external_ids)
        targets = [(f"ext_{e}", {"externalId": e}) for e in ids]
    else:
        return NO_LINKS_TO_UPDATE
    update = _update_of(body.data, body.data.model_fields_set - FIXED_IN_BULK)
    done: list[Done] = []
    for link_id, named in targets:

        async def step(link_id: str = link_id) -> Link:
            return await link_service.update(
                session, workspace=workspace, link_id=link_id, body=update, settings=settings,
                epoch=epoch, announce=False,
            )  # fmt: skip

        outcome = await _each(session, named, step)
        if isinstance(outcome, LinkError) and outcome.code == NotFound.code:
            outcome = LinkError(link=named, error=NOT_FOUND, code=NotFound.code)
        done.append(outcome)
    return _links_first(done)


async def delete_many(
    session: AsyncSession, *, workspace: Workspace, link_ids: list[str], settings: Settings,
    epoch: Epoch,
) -> int:  # fmt: skip
    """How many of the named links were deleted: unknown ids, and a domain's root link, are
    passed over, as Dub does."""
    wanted = dict.fromkeys(part.strip() for value in link_ids for part in value.split(","))
    wanted.pop("", None)
    if not wanted:
        raise BadRequest(NO_IDS)
    deleted = 0
    for link_id in wanted:
        try:
            found = await link_service.get(session, workspace=workspace, link_id=link_id)
        except NotFound:
            continue
        if found.key == rules.ROOT:
            continue
        await link_service.delete(
            session, workspace=workspace, link_id=found.id, settings=settings, epoch=epoch,
            announce=False,
        )  # fmt: skip
        deleted += 1
    return deleted
