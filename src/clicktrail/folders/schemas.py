"""Request and response bodies of `/folders`, with Dub's camelCase names."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from clicktrail.kit.schema import InputSchema, Schema

Name = Annotated[str, StringConstraints(min_length=1, max_length=190)]
Description = Annotated[str, StringConstraints(max_length=500)]


class AccessLevel(StrEnum):
    write = "write"
    read = "read"


class FolderCreate(InputSchema):
    name: Name
    description: Description | None = None
    access_level: AccessLevel | None = Field(default=AccessLevel.write, alias="accessLevel")


class FolderUpdate(InputSchema):
    name: Name | None = None
    description: Description | None = None
    access_level: AccessLevel | None = Field(default=None, alias="accessLevel")


class Folder(Schema):
    id: str
    name: str
    description: str | None
    type: str = "default"
    access_level: str | None = Field(alias="accessLevel")
    created_at: str = Field(alias="createdAt")
    updated_at: str = Field(alias="updatedAt")


class DeletedFolder(Schema):
    id: str
