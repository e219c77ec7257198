"""What `GET /events` answers, for the OpenAPI document: clicks, leads or sales with their
click, link and customer, plus the flat fields that older SDKs still read. The route builds its
dicts itself (events.present); tests/fuzz checks that they match these models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from clicktrail.kit.schema import Schema
from clicktrail.links.schemas import Link


class EventClick(Schema):
    id: str = Field(description="The click id (`dub_id`).")
    timestamp: str
    url: str
    country: str
    city: str
    region: str = Field(description="`{country}-{region}`.")
    continent: str
    device: str
    browser: str
    os: str
    ua: str
    trigger: str
    referer: str
    referer_url: str = Field(alias="refererUrl", description="Without its query string.")
    qr: bool
    ip: str


class EventCustomer(Schema):
    id: str
    external_id: str = Field(alias="externalId")
    name: str
    email: str | None
    avatar: str | None
    country: str | None
    created_at: str | None = Field(alias="createdAt")


class EventSale(Schema):
    amount: int = Field(description="USD cents.")
    currency: str
    invoice_id: str | None = Field(alias="invoiceId")
    payment_processor: str = Field(alias="paymentProcessor")


class ClickEvent(Schema):
    event: Literal["click"]
    timestamp: str
    click: EventClick
    link: Link
    click_id: str = Field(description="Deprecated: click.id.")
    link_id: str = Field(description="Deprecated: link.id.")
    domain: str = Field(description="Deprecated: link.domain.")
    key: str = Field(description="Deprecated: link.key.")
    url: str = Field(description="Deprecated: click.url.")
    continent: str = Field(description="Deprecated: click.continent.")
    country: str = Field(description="Deprecated: click.country.")
    city: str = Field(description="Deprecated: click.city.")
    device: str = Field(description="Deprecated: click.device.")
    browser: str = Field(description="Deprecated: click.browser.")
    os: str = Field(description="Deprecated: click.os.")
    qr: int = Field(description="Deprecated: click.qr, as 0 or 1.")
    ip: str = Field(description="Deprecated: click.ip.")


class LeadEvent(ClickEvent):
    event: Literal["lead"]  # type: ignore[assignment]  # each kind narrows the tag
    event_id: str = Field(alias="eventId")
    event_name: str = Field(alias="eventName")
    customer: EventCustomer
    metadata: dict[str, Any] | None = Field(default=None, description="Present when given.")


class SaleEvent(LeadEvent):
    event: Literal["sale"]  # type: ignore[assignment]
    sale: EventSale
    sale_amount: int = Field(alias="saleAmount", description="Deprecated: sale.amount.")
    invoice_id: str = Field(description="Deprecated: sale.invoiceId, or an empty string.")
    payment_processor: str = Field(description="Deprecated: sale.paymentProcessor.")


Event = Annotated[ClickEvent | LeadEvent | SaleEvent, Field(discriminator="event")]
