"""Adding a domain claims it as a first link on it would (the first workspace owns it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.config import Settings
from clicktrail.domains.repository import DomainRepository
from clicktrail.domains.schemas import DomainCreate, DomainFields, DomainUpdate
from clicktrail.errors import Conflict, NotFound, UnprocessableEntity
from clicktrail.kit.clock import utcnow
from clicktrail.links import rules
from clicktrail.links.repository import LinkRepository
from clicktrail.models import Domain, Workspace
from clicktrail.storage.epoch import Epoch
from clicktrail.storage.unit import after_commit

NOT_FOUND = "Domain not found."
IN_USE = "Domain is already in use."


async def create(
    session: AsyncSession, *, workspace: Workspace, body: DomainCreate, settings: Settings,
    epoch: Epoch,
) -> Domain:  # fmt: skip
    slug = rules.clean_domain(body.slug)
    if slug == settings.short_domain:
        raise Conflict(f"{slug} is the server's shared domain.")
    repo = DomainRepository(session)
    if await repo.get(workspace.id, slug) is not None:
        raise Conflict(IN_USE)
    if await LinkRepository(session).claim_domain(slug, workspace.id) != workspace.id:
        raise Conflict(IN_USE)
    domain = await repo.get(workspace.id, slug)
    assert domain is not None
    _apply(domain, body, body.model_fields_set)
    await session.flush()
    after_commit(session, epoch.bump)
    return domain


async def get(session: AsyncSession, workspace: Workspace, slug: str) -> Domain:
    found = await DomainRepository(session).get(workspace.id, slug.lower())
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


async def update(
    session: AsyncSession, *, workspace: Workspace, slug: str, body: DomainUpdate, epoch: Epoch
) -> Domain:
    domain = await get(session, workspace, slug)
    if body.slug is not None and rules.clean_domain(body.slug) != domain.domain:
        raise UnprocessableEntity("Not supported: renaming a domain (its links keep their host).")
    _apply(domain, body, body.model_fields_set - {"slug"})
    domain.updated_at = utcnow()
    await session.flush()
    after_commit(session, epoch.bump)
    return domain


async def delete(session: AsyncSession, *, workspace: Workspace, slug: str, epoch: Epoch) -> str:
    domain = await get(session, workspace, slug)
    links = await DomainRepository(session).link_count(domain.domain)
    if links:
        raise UnprocessableEntity(
            f"The domain {domain.domain} has {links} links: delete them first (DELETE /links/bulk)."
        )
    await DomainRepository(session).remove(domain)
    after_commit(session, epoch.bump)
    return domain.domain


def _apply(domain: Domain, body: DomainFields, fields: set[str]) -> None:
    values: dict[str, Any] = body.model_dump(include=fields)
    if values.get("logo"):
        raise UnprocessableEntity("Not supported: logo (clicktrail stores no images).")
    for name in ("expired_url", "not_found_url", "placeholder"):
        if name in fields:
            value = (values[name] or "").strip()
            cleaned = rules.clean_url(value, _ALIAS[name]) if value else None
            if name == "placeholder" and cleaned and len(cleaned) > PLACEHOLDER_LENGTH:
                raise UnprocessableEntity(  # "x" * 100 is "https://" + "x" * 100 once cleaned
                    f"too_big: placeholder: at most {PLACEHOLDER_LENGTH} characters as a URL"
                )
            setattr(domain, name, cleaned)
    if "archived" in fields:
        domain.archived = bool(values["archived"])


PLACEHOLDER_LENGTH = 100  # the column's length (models/domain.py)
_ALIAS = {"expired_url": "expiredUrl", "not_found_url": "notFoundUrl", "placeholder": "placeholder"}
