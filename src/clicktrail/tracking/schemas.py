"""Bodies of the track API with every alias of every SDK generation (spec §1.2, §2.1, §3)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, EmailStr, Field, StringConstraints, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from clicktrail.kit import jsontext
from clicktrail.kit.currency import is_iso_currency
from clicktrail.kit.schema import InputSchema, Schema

# Identifiers are stored in 255-character columns; longer ones get a 422, not a database error.
Trimmed = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]
Identifier = Annotated[str, StringConstraints(max_length=255)]
Name = Annotated[str, StringConstraints(max_length=100)]
Email = Annotated[EmailStr, StringConstraints(max_length=100)]
METADATA_LIMIT = 10_000
MAX_SAFE_INTEGER = 2**53 - 1  # zod's int bound


class PaymentProcessor(StrEnum):
    stripe = "stripe"
    shopify = "shopify"
    polar = "polar"
    paddle = "paddle"
    apple = "apple"
    revenuecat = "revenuecat"
    dub = "dub"
    lemonsqueezy = "lemonsqueezy"  # offered by the current SDKs (PyPI 0.39.0, npm 0.73.5)
    custom = "custom"


def checked_metadata(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Dub's bound: `JSON.stringify(metadata).length`, in UTF-16 code units."""
    if value is not None and jsontext.js_length(value) > METADATA_LIMIT:
        raise PydanticCustomError(
            "custom", "Metadata must be less than 10,000 characters when stringified"
        )
    return value


class CustomerFields(Schema):
    customer_name: Name | None = Field(default=None, alias="customerName")
    customer_email: Email | None = Field(default=None, alias="customerEmail")
    customer_avatar: str | None = Field(default=None, alias="customerAvatar")


class LeadCreate(InputSchema):
    """Field order is Dub's, so that the first error reported is the one Dub reports."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"clickId": "rLnWe1uz9t282v7g", "eventName": "Sign up",
                                         "customerExternalId": "user_123"}]}
    )  # fmt: skip

    click_id: Trimmed | None = Field(
        default=None, alias="clickId", description="The `dub_id` of the click; may be empty."
    )
    event_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] = Field(
        alias="eventName", description='The name of the event, e.g. "Sign up".'
    )
    customer_external_id: Trimmed | None = Field(default=None, alias="customerExternalId")
    customer_name: Name | None = Field(default=None, alias="customerName")
    customer_email: Email | None = Field(default=None, alias="customerEmail")
    customer_avatar: str | None = Field(default=None, alias="customerAvatar")
    mode: Literal["async", "wait", "deferred"] | None = Field(
        default=None, description="async and wait both commit before answering."
    )
    event_quantity: int | None = Field(default=None, alias="eventQuantity", gt=0, le=100)
    metadata: dict[str, Any] | None = None
    external_id: Trimmed | None = Field(
        default=None, alias="externalId", description="Deprecated: customerExternalId."
    )
    customer_id: Trimmed | None = Field(
        default=None, alias="customerId", description="Deprecated: customerExternalId."
    )

    @field_validator("event_name")
    @classmethod
    def _event_name(cls, value: str) -> str:
        if not value:
            raise PydanticCustomError("too_small", "eventName is required")
        return value

    _metadata = field_validator("metadata")(checked_metadata)

    @property
    def external(self) -> str | None:
        """`customerExternalId || externalId || customerId`: an empty string counts as absent."""
        return self.customer_external_id or self.external_id or self.customer_id or None


# What `amount` accepts, for the document: validated by SaleCreate._amount, which words its
# errors as Dub does (an integral float such as 100.0 counts as an integer, as in JSON Schema).
AMOUNT = WithJsonSchema(
    {"type": "integer", "minimum": 0, "maximum": MAX_SAFE_INTEGER,
     "description": "Minor units of the currency, e.g. cents."}
)  # fmt: skip


class SaleCreate(InputSchema):
    # amount is required, with Dub's message when it is absent
    model_config = ConfigDict(
        json_schema_extra={"required": ["amount"], "examples": [
            {"customerExternalId": "user_123", "amount": 4900, "currency": "eur",
             "invoiceId": "in_1PqR2s", "paymentProcessor": "stripe"}
        ]}
    )  # fmt: skip

    customer_external_id: Identifier | None = Field(default=None, alias="customerExternalId")
    amount: Annotated[Any, AMOUNT] = Field(default=None, validate_default=True)
    currency: str | None = Field(default=None, description="ISO 4217 code; default usd.")
    event_name: Annotated[str, StringConstraints(max_length=255)] | None = Field(
        default=None, alias="eventName"
    )
    payment_processor: PaymentProcessor | None = Field(default=None, alias="paymentProcessor")
    invoice_id: Identifier | None = Field(default=None, alias="invoiceId")
    metadata: dict[str, Any] | None = None
    lead_event_name: Identifier | None = Field(default=None, alias="leadEventName")
    click_id: Trimmed | None = Field(default=None, alias="clickId")
    customer_name: Name | None = Field(default=None, alias="customerName")
    customer_email: Email | None = Field(default=None, alias="customerEmail")
    customer_avatar: str | None = Field(default=None, alias="customerAvatar")
    external_id: Identifier | None = Field(default=None, alias="externalId")
    customer_id: Identifier | None = Field(default=None, alias="customerId")

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Any) -> int:
        integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not integral:
            raise PydanticCustomError("invalid_type", "amount is required")
        if value < 0:
            raise PydanticCustomError("too_small", "amount cannot be negative")
        if value > MAX_SAFE_INTEGER:
            raise PydanticCustomError(
                "too_big", "Too big: expected number to be <=9007199254740991"
            )
        return int(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str:
        code = (value or "usd").strip().lower()
        if not is_iso_currency(code):
            raise PydanticCustomError(
                "custom",
                "Unknown currency code '{code}': use an ISO 4217 code such as usd, eur or jpy",
                {"code": value},
            )
        return code

    _metadata = field_validator("metadata")(checked_metadata)

    @property
    def external(self) -> str | None:
        return self.customer_external_id or self.external_id or self.customer_id or None


class CustomerUpsert(InputSchema):
    """The body of the older `POST /track/customer` (removed from Dub in 2024-12)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"customerId": "user_123", "customerName": "Ada"}]}
    )

    customer_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ] = Field(alias="customerId", description="Your id for the customer (external id).")
    customer_name: Name | None = Field(default=None, alias="customerName")
    customer_email: Email | None = Field(default=None, alias="customerEmail")
    customer_avatar: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        default=None, alias="customerAvatar"
    )


class ClickRef(Schema):
    id: str


class LeadLink(Schema):
    id: str
    domain: str
    key: str
    short_link: str = Field(alias="shortLink")
    url: str
    partner_id: str | None = Field(alias="partnerId")
    program_id: str | None = Field(alias="programId")
    tenant_id: str | None = Field(alias="tenantId")
    external_id: str | None = Field(alias="externalId")


class LeadCustomer(Schema):
    id: str = Field(description="The customer's cus_ id (older SDKs require it).")
    name: str | None
    email: str | None
    avatar: str | None
    external_id: str | None = Field(alias="externalId")


class LeadCreated(Schema):
    click: ClickRef
    link: LeadLink | None
    customer: LeadCustomer


class SaleCustomer(Schema):
    id: str
    name: str | None
    email: str | None
    avatar: str | None
    external_id: str | None = Field(alias="externalId")


class SaleDetails(Schema):
    amount: int = Field(description="USD cents, after conversion.")
    currency: str
    payment_processor: str = Field(alias="paymentProcessor")
    invoice_id: str | None = Field(alias="invoiceId")
    metadata: dict[str, Any] | None


class SaleCreated(Schema):
    event_name: str = Field(alias="eventName")
    customer: SaleCustomer | None
    sale: SaleDetails | None


class CustomerUpserted(Schema):
    customer_id: str = Field(alias="customerId")
    customer_name: str | None = Field(alias="customerName")
    customer_email: str | None = Field(alias="customerEmail")
    customer_avatar: str | None = Field(alias="customerAvatar")
