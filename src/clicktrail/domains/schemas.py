"""Request and response bodies of `/domains`, with Dub's camelCase names."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from clicktrail.kit.schema import InputSchema, Schema


class DomainFields(InputSchema):
    expired_url: str | None = Field(
        default=None, alias="expiredUrl", description="Where the domain's expired links go."
    )
    not_found_url: str | None = Field(
        default=None, alias="notFoundUrl", description="Where the domain's unknown keys go."
    )
    placeholder: Annotated[str, StringConstraints(max_length=100)] | None = None
    archived: StrictBool | None = None
    logo: str | None = None


class DomainCreate(DomainFields):
    slug: Annotated[str, StringConstraints(min_length=1, max_length=190)]


class DomainUpdate(DomainFields):
    slug: Annotated[str, StringConstraints(min_length=1, max_length=190)] | None = None


class Domain(Schema):
    """Every key Dub's SDKs read; a domain is verified here as soon as it is added (clicktrail
    answers whatever host reaches it), and none is registered through clicktrail."""

    id: str
    slug: str
    verified: bool = True
    primary: bool = False
    archived: bool
    placeholder: str | None
    expired_url: str | None = Field(alias="expiredUrl")
    not_found_url: str | None = Field(alias="notFoundUrl")
    logo: None = None
    created_at: str = Field(alias="createdAt")
    updated_at: str = Field(alias="updatedAt")
    registered_domain: None = Field(default=None, alias="registeredDomain")


class DeletedDomain(Schema):
    slug: str
