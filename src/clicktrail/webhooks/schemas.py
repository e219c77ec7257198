"""Request and response bodies of the webhooks API (spec §8)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints

from clicktrail.kit.schema import InputSchema, Schema


class Trigger(StrEnum):
    link_created = "link.created"
    link_updated = "link.updated"
    link_deleted = "link.deleted"
    link_clicked = "link.clicked"
    lead_created = "lead.created"
    sale_created = "sale.created"


Name = Annotated[str, StringConstraints(min_length=1, max_length=190)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Triggers = Annotated[list[Trigger], Field(min_length=1)]


class WebhookCreate(InputSchema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Conversions",
                    "url": "https://example.com/hooks",
                    "triggers": ["lead.created", "sale.created"],
                }
            ]
        }
    )

    name: Name
    url: Url
    triggers: Triggers


class WebhookUpdate(InputSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"disabled": False}]})

    name: Name | None = None
    url: Url | None = None
    triggers: Triggers | None = None
    disabled: StrictBool | None = Field(
        default=None, description="true stops deliveries; false resumes them and resets failures"
    )


class Webhook(Schema):
    id: str
    name: str
    url: str
    triggers: list[str]
    disabled_at: str | None = Field(alias="disabledAt")
    consecutive_failures: int = Field(alias="consecutiveFailures")
    created_at: str = Field(alias="createdAt")
    updated_at: str = Field(alias="updatedAt")


class CreatedWebhook(Webhook):
    secret: str = Field(description="whsec_…: shown only in this answer")


class DeletedWebhook(Schema):
    id: str


class Redelivery(Schema):
    delivery_id: str = Field(alias="deliveryId")
    event_id: str = Field(alias="eventId")
    status: Literal["pending"] = Field(description="Sent again by the dispatcher shortly.")


class Attempt(Schema):
    delivery_id: str = Field(alias="deliveryId")
    event_id: str = Field(alias="eventId")
    event: str
    delivery_status: str = Field(alias="deliveryStatus", description="pending, delivered, failed")
    attempted_at: str = Field(alias="attemptedAt")
    http_status: int | None = Field(alias="httpStatus")
    duration_ms: int = Field(alias="durationMs")
    response: str | None = Field(description="the first 1 KiB of the receiver's answer")
    error: str | None
