"""The bodies the track API answers with."""

from __future__ import annotations

from typing import Any

from clicktrail.config import Settings
from clicktrail.links.present import short_link
from clicktrail.tracking import schemas
from clicktrail.tracking.attribution import Person
from clicktrail.tracking.repository import CustomerRow, LinkRow


def lead_created(
    click_id: str, link: LinkRow, customer: CustomerRow, settings: Settings
) -> schemas.LeadCreated:
    return schemas.LeadCreated(
        click=schemas.ClickRef(id=click_id),
        link=schemas.LeadLink(
            id=link.id,
            domain=link.domain,
            key=link.key,
            short_link=short_link(settings, link.domain, link.key),
            url=link.url,
            partner_id=link.partner_id,
            program_id=link.program_id,
            tenant_id=link.tenant_id,
            external_id=link.external_id,
        ),
        customer=_lead_customer(customer),
    )


def duplicate_lead(
    click_id: str, customer: CustomerRow | None, person: Person, external: str
) -> schemas.LeadCreated:
    """Nothing recorded and no link loaded (spec §1.8)."""
    shown = (
        _lead_customer(customer)
        if customer
        else schemas.LeadCustomer(
            id=external,
            name=person.display_name(),
            email=person.email,
            avatar=person.avatar,
            external_id=external,
        )
    )
    return schemas.LeadCreated(click=schemas.ClickRef(id=click_id), link=None, customer=shown)


def _lead_customer(customer: CustomerRow) -> schemas.LeadCustomer:
    return schemas.LeadCustomer(
        id=customer.id,
        name=customer.name,
        email=customer.email,
        avatar=customer.avatar,
        external_id=customer.external_id,
    )


def no_sale(event_name: str) -> dict[str, Any]:
    return {"eventName": event_name, "customer": None, "sale": None}


def sale_created(
    customer: CustomerRow, sale: dict[str, Any], metadata: dict[str, Any] | None
) -> dict[str, Any]:
    """`sale`: the column values of the sale recorded."""
    body = schemas.SaleCreated(
        event_name=sale["event_name"],
        customer=schemas.SaleCustomer(
            id=customer.id,
            name=customer.name,
            email=customer.email,
            avatar=customer.avatar,
            external_id=customer.external_id,
        ),
        sale=schemas.SaleDetails(
            amount=sale["amount"],
            currency=sale["currency"],
            payment_processor=sale["payment_processor"],
            invoice_id=sale["invoice_id"],
            metadata=metadata,
        ),
    )
    return body.model_dump(mode="json", by_alias=True)


def customer_upserted(customer: CustomerRow) -> schemas.CustomerUpserted:
    return schemas.CustomerUpserted(
        customer_id=customer.external_id or "",
        customer_name=customer.name,
        customer_email=customer.email,
        customer_avatar=customer.avatar,
    )
