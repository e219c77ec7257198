"""`/domains`: Dub's create, list, update and delete of a workspace's short-link domains."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clicktrail.api.deps import CurrentWorkspace, ReadSession, RuntimeDep, WriteSession
from clicktrail.api.openapi import BODY, KEYED, PARAMETERS, errors
from clicktrail.domains import schemas, service
from clicktrail.domains.repository import DomainRepository
from clicktrail.errors import Conflict
from clicktrail.kit.clock import iso
from clicktrail.models import Domain

router = APIRouter(prefix="/domains", tags=["Domains"], responses=KEYED)


def present(domain: Domain) -> schemas.Domain:
    created = iso(domain.created_at) or ""
    return schemas.Domain(
        id=domain.id or "", slug=domain.domain, archived=domain.archived,
        placeholder=domain.placeholder, expired_url=domain.expired_url,
        not_found_url=domain.not_found_url, created_at=created,
        updated_at=iso(domain.updated_at) or created,
    )  # fmt: skip


@router.post("", response_model=schemas.Domain, status_code=201, responses=BODY | errors(Conflict))
async def create_domain(
    body: schemas.DomainCreate, workspace: CurrentWorkspace, session: WriteSession,
    runtime: RuntimeDep,
) -> schemas.Domain:  # fmt: skip
    """Add a domain: it is the workspace's if no other workspace has it (409 otherwise)."""
    created = await service.create(
        session, workspace=workspace, body=body, settings=runtime.settings, epoch=runtime.epoch
    )
    return present(created)


@router.get("", response_model=list[schemas.Domain], responses=PARAMETERS)
async def list_domains(
    workspace: CurrentWorkspace,
    session: ReadSession,
    archived: bool = False,
    search: str | None = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=50)] = 50,
) -> list[schemas.Domain]:
    """The workspace's domains (those it added, and those its links claimed), newest first."""
    found = await DomainRepository(session).page(
        workspace.id, archived=archived, search=search, page=page, size=page_size
    )
    return [present(domain) for domain in found]


@router.patch("/{slug}", response_model=schemas.Domain, responses=BODY)
async def update_domain(
    slug: str, body: schemas.DomainUpdate, workspace: CurrentWorkspace, session: WriteSession,
    runtime: RuntimeDep,
) -> schemas.Domain:  # fmt: skip
    """Set `expiredUrl`, `notFoundUrl`, `placeholder` or `archived`; an empty URL unsets it."""
    updated = await service.update(
        session, workspace=workspace, slug=slug, body=body, epoch=runtime.epoch
    )
    return present(updated)


@router.delete("/{slug}", response_model=schemas.DeletedDomain, responses=PARAMETERS)
async def delete_domain(
    slug: str, workspace: CurrentWorkspace, session: WriteSession, runtime: RuntimeDep
) -> schemas.DeletedDomain:
    """Remove a domain that has no links left (422 otherwise)."""
    deleted = await service.delete(session, workspace=workspace, slug=slug, epoch=runtime.epoch)
    return schemas.DeletedDomain(slug=deleted)
