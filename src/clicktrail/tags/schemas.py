"""Request and response bodies of `/tags`, with Dub's names and colors."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from clicktrail.kit.schema import InputSchema, Schema

# Dub's resource colors, the ones a new tag gets at random; "pink" is still accepted.
COLORS = ("red", "yellow", "green", "blue", "purple", "brown", "gray")
ACCEPTED_COLORS = (*COLORS, "pink")
BAD_COLOR = f"Invalid color. Must be one of: {', '.join(ACCEPTED_COLORS)}"
MAX_PAGE_SIZE = 100

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=190)]


class TagBody(InputSchema):
    """Create and update alike, as on Dub: `name` (or the deprecated `tag`) and `color`."""

    name: Name | None = None
    color: str | None = Field(default=None, description=f"One of {', '.join(ACCEPTED_COLORS)}.")
    tag: Name | None = Field(
        default=None, description="Use `name`.", json_schema_extra={"deprecated": True}
    )

    @field_validator("color")
    @classmethod
    def _known_color(cls, value: str | None) -> str | None:
        if value is not None and value not in ACCEPTED_COLORS:
            raise PydanticCustomError("invalid_value", BAD_COLOR)
        return value

    @property
    def given_name(self) -> str | None:
        return self.tag or self.name


class TagCreate(TagBody):
    @model_validator(mode="after")
    def _named(self) -> TagCreate:
        if not self.given_name:
            raise PydanticCustomError("custom", "Name is required.")
        return self


class TagUpdate(TagBody):
    pass


class TagSort(StrEnum):
    name = "name"
    created_at = "createdAt"


class TagOrder(StrEnum):
    asc = "asc"
    desc = "desc"


class LinkTag(Schema):
    """What a link's `tags` lists, and what `/tags` answers (Dub's name for it)."""

    id: str
    name: str
    color: str


class DeletedTag(Schema):
    id: str
