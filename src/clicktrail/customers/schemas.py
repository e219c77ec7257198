from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, EmailStr, Field, StringConstraints

from clicktrail.kit.schema import InputSchema, Schema

Short = Annotated[str, StringConstraints(max_length=255)]


class CustomerSort(StrEnum):
    created_at = "createdAt"
    sale_amount = "saleAmount"
    first_sale_at = "firstSaleAt"
    subscription_canceled_at = "subscriptionCanceledAt"


class CustomerLink(Schema):
    id: str
    domain: str
    key: str
    short_link: str = Field(alias="shortLink")
    url: str
    program_id: str | None = Field(alias="programId")


class Customer(Schema):
    id: str = Field(description="The customer's id, `cus_…`.")
    external_id: str = Field(alias="externalId", description="Your id for the customer.")
    name: str
    email: str | None
    avatar: str | None
    stripe_customer_id: str | None = Field(alias="stripeCustomerId")
    country: str | None
    sales: int
    sale_amount: int = Field(alias="saleAmount", description="USD cents")
    created_at: str = Field(alias="createdAt")
    first_sale_at: str | None = Field(alias="firstSaleAt")
    subscription_canceled_at: str | None = Field(alias="subscriptionCanceledAt")


class ExpandedCustomer(Customer):
    link: CustomerLink | None
    program_id: str | None = Field(alias="programId")
    partner: None = None
    discount: None = None


class CustomerFields(InputSchema):
    name: Short | None = None
    email: Annotated[EmailStr, StringConstraints(max_length=255)] | None = None
    avatar: str | None = None
    stripe_customer_id: Short | None = Field(default=None, alias="stripeCustomerId")
    country: Annotated[str, StringConstraints(max_length=64)] | None = None


class CustomerCreate(CustomerFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"externalId": "user_123", "name": "Ada Lovelace", "email": "ada@example.com"}
            ]
        }
    )

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=255)] = Field(
        alias="externalId"
    )


class CustomerUpdate(CustomerFields):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Ada King", "country": "GB"}]}
    )

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = Field(
        default=None, alias="externalId"
    )


class DeletedCustomer(Schema):
    id: str
