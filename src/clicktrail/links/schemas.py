"""Request and response bodies of the links API (spec §7.4), with Dub's camelCase names."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, StrictBool, StringConstraints

from clicktrail.kit.schema import InputSchema, Schema
from clicktrail.tags.schemas import LinkTag

Short = Annotated[str, StringConstraints(max_length=255)]


class LinkFields(InputSchema):
    """What a create and an update may set; every field optional (an update sets only what it
    names)."""

    domain: Annotated[str, StringConstraints(max_length=190)] | None = Field(
        default=None, description="Short-link host; default: the server's short domain."
    )
    key: Annotated[str, StringConstraints(max_length=190)] | None = Field(
        default=None, description="Path of the short link; default: 7 random characters."
    )
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = Field(
        default=None, alias="externalId", description="Your id for the link (unique per workspace)."
    )
    tenant_id: Short | None = Field(default=None, alias="tenantId")
    program_id: Short | None = Field(default=None, alias="programId")
    partner_id: Short | None = Field(default=None, alias="partnerId")
    track_conversion: StrictBool | None = Field(
        default=None, alias="trackConversion", description="Add `dub_id` to the destination."
    )
    archived: StrictBool | None = None
    disabled: StrictBool | None = Field(default=None, description="A disabled link answers 404.")
    expires_at: datetime | None = Field(default=None, alias="expiresAt")
    expired_url: str | None = Field(default=None, alias="expiredUrl")
    password: Short | None = None
    proxy: StrictBool | None = None
    rewrite: StrictBool | None = None
    do_index: StrictBool | None = Field(default=None, alias="doIndex")
    public_stats: StrictBool | None = Field(default=None, alias="publicStats")
    title: str | None = None
    description: Annotated[str, StringConstraints(max_length=280)] | None = None
    image: str | None = None
    video: str | None = None
    ios: str | None = None
    android: str | None = None
    geo: dict[str, str] | None = None
    comments: str | None = None
    folder_id: Short | None = Field(default=None, alias="folderId")
    utm_source: Short | None = None
    utm_medium: Short | None = None
    utm_campaign: Short | None = None
    utm_term: Short | None = None
    utm_content: Short | None = None
    ref: Short | None = Field(
        default=None, description="Sets (or replaces) the `ref` query parameter of the URL."
    )
    tag_id: Short | None = Field(
        default=None, alias="tagId", json_schema_extra={"deprecated": True}
    )  # marked, not `deprecated=True`, which warns on every read
    tag_ids: list[str] | str | None = Field(
        default=None, alias="tagIds", description="The link's tags (`/tags` ids); wins over names."
    )
    tag_names: list[str] | str | None = Field(
        default=None, alias="tagNames", description="The link's tags by name (case-insensitive)."
    )
    # Accepted so that they are never dropped unseen: clicktrail keeps no link-scoped webhooks
    # or A/B tests, so a link that names any is refused (422), not stored without them.
    webhook_ids: list[str] | None = Field(default=None, alias="webhookIds")
    test_variants: list[dict[str, object]] | None = Field(default=None, alias="testVariants")
    test_started_at: datetime | None = Field(default=None, alias="testStartedAt")
    test_completed_at: datetime | None = Field(default=None, alias="testCompletedAt")


class LinkCreate(LinkFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://example.com/pricing",
                    "externalId": "spring-42",
                    "trackConversion": True,
                }
            ]
        }
    )

    url: Annotated[str, StringConstraints(max_length=32000)] = Field(
        description="The destination URL."
    )
    key_length: int | None = Field(default=None, alias="keyLength", ge=3, le=190)
    prefix: Short | None = None


class LinkUpdate(LinkFields):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"title": "Spring sale", "archived": False}]}
    )

    url: Annotated[str, StringConstraints(max_length=32000)] | None = None


class LinkSort(StrEnum):
    created_at = "createdAt"
    clicks = "clicks"
    sale_amount = "saleAmount"
    last_clicked = "lastClicked"


class SortOrder(StrEnum):
    asc = "asc"
    desc = "desc"


class Link(Schema):
    """The full link object: every key present, null where unset, as the SDKs require."""

    id: str
    domain: str
    key: str
    url: str
    track_conversion: bool = Field(alias="trackConversion")
    external_id: str | None = Field(alias="externalId")
    tenant_id: str | None = Field(alias="tenantId")
    program_id: str | None = Field(alias="programId")
    partner_id: str | None = Field(alias="partnerId")
    archived: bool
    expires_at: str | None = Field(alias="expiresAt")
    expired_url: str | None = Field(alias="expiredUrl")
    disabled_at: str | None = Field(alias="disabledAt")
    password: str | None
    proxy: bool
    title: str | None
    description: str | None
    image: str | None
    video: str | None
    rewrite: bool
    do_index: bool = Field(alias="doIndex")
    ios: str | None
    android: str | None
    geo: dict[str, str] | None
    public_stats: bool = Field(alias="publicStats")
    tags: list[LinkTag]
    folder_id: str | None = Field(alias="folderId")
    webhook_ids: list[str] = Field(alias="webhookIds")
    comments: str | None
    short_link: str = Field(alias="shortLink")
    qr_code: str = Field(alias="qrCode")
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_term: str | None
    utm_content: str | None
    test_variants: list[dict[str, object]] | None = Field(alias="testVariants")
    test_started_at: str | None = Field(alias="testStartedAt")
    test_completed_at: str | None = Field(alias="testCompletedAt")
    user_id: str | None = Field(alias="userId")
    workspace_id: str = Field(alias="workspaceId")
    clicks: int
    leads: int
    conversions: int
    sales: int
    sale_amount: int = Field(alias="saleAmount", description="USD cents")
    last_clicked: str | None = Field(alias="lastClicked")
    created_at: str = Field(alias="createdAt")
    updated_at: str = Field(alias="updatedAt")
    tag_id: str | None = Field(alias="tagId")
    project_id: str = Field(alias="projectId")
    identifier: None = None


class DeletedLink(Schema):
    id: str


class BulkUpdate(InputSchema):
    link_ids: list[str] = Field(
        default_factory=list, alias="linkIds", max_length=100,
        description="The links to update; wins over `externalIds`.",
    )  # fmt: skip
    external_ids: list[str] = Field(default_factory=list, alias="externalIds", max_length=100)
    data: LinkUpdate = Field(description="What to set; `domain`, `key` and `externalId` are not.")


class LinkError(Schema):
    """One item of a bulk request that was not done, beside those that were."""

    link: dict[str, object]
    error: str
    code: str


class DeletedCount(Schema):
    deleted_count: int = Field(alias="deletedCount")
