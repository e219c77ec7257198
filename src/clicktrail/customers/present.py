"""A stored customer as the API shows it."""

from __future__ import annotations

from clicktrail.config import Settings
from clicktrail.customers import schemas
from clicktrail.kit.clock import iso
from clicktrail.kit.names import random_name
from clicktrail.links.present import short_link
from clicktrail.models import Customer, Link


def present(customer: Customer) -> schemas.Customer:
    return schemas.Customer(**_fields(customer))


def present_expanded(
    customer: Customer, link: Link | None, settings: Settings
) -> schemas.ExpandedCustomer:
    shown = None
    if link is not None:
        shown = schemas.CustomerLink(
            id=link.id,
            domain=link.domain,
            key=link.key,
            short_link=short_link(settings, link.domain, link.key),
            url=link.url,
            program_id=link.program_id,
        )
    return schemas.ExpandedCustomer(**_fields(customer), link=shown, program_id=None)


def _fields(customer: Customer) -> dict[str, object]:
    return {
        "id": customer.id,
        "external_id": customer.external_id or "",
        # as Dub: the email, or a made-up name, when the customer gave none
        "name": customer.name or customer.email or random_name(),
        "email": customer.email,
        "avatar": customer.avatar,
        "stripe_customer_id": customer.stripe_customer_id,
        "country": customer.country,
        "sales": customer.sales,
        "sale_amount": customer.sale_amount,
        "created_at": iso(customer.created_at) or "",
        "first_sale_at": iso(customer.first_sale_at),
        "subscription_canceled_at": None,
    }
