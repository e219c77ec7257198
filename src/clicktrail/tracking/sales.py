"""Recording a sale: attribution to a lead, currency conversion (spec §2.2). Its counters
(the link's and the customer's) are folded from it after the commit (folding/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clicktrail.config import Settings
from clicktrail.errors import NotFound, UnprocessableEntity
from clicktrail.kit.clock import utcnow
from clicktrail.kit.currency import RateTable, to_usd_cents
from clicktrail.kit.ids import nanoid
from clicktrail.models import Workspace
from clicktrail.storage.totals import MOST_PER_SALE
from clicktrail.tracking import announce, responses
from clicktrail.tracking.attribution import Person, attribute, customer_for
from clicktrail.tracking.repository import CustomerRow, LeadRow, TrackingRepository
from clicktrail.tracking.schemas import PaymentProcessor, SaleCreate

DIRECT_LEAD = "Direct sale tracking lead event"


async def record_sale(
    repo: TrackingRepository, workspace: Workspace, external: str, body: SaleCreate,
    rates: RateTable, settings: Settings,
) -> dict[str, Any]:  # fmt: skip
    event_name = body.event_name or "Purchase"
    customer = await repo.customer_by_external_id(workspace.id, external)
    if customer is not None:
        lead = await _lead_of(repo, customer, external, body.lead_event_name)
    elif body.click_id:
        customer, lead = await _direct_sale_lead(repo, workspace, external, body)
    else:
        return responses.no_sale(event_name)
    if body.amount == 0:
        return responses.no_sale(event_name)
    sale = _sale(workspace, customer, lead, body, event_name, rates)
    await repo.add_sale(sale)
    await announce.sale_created(repo, sale, settings)
    return responses.sale_created(customer, sale, body.metadata)


async def _lead_of(
    repo: TrackingRepository, customer: CustomerRow, external: str, lead_event_name: str | None
) -> LeadRow:
    """The customer's latest lead, or its latest lead of that (case-sensitive) name."""
    link = await repo.link(customer.link_id)
    if link is None:
        raise NotFound(f"Link not found for customer {customer.id}")
    if link.disabled_at is not None:
        raise NotFound(f"Link {link.id} for customer {customer.id} is disabled, sale not tracked")
    lead = await repo.latest_lead(customer.id, lead_event_name)
    if lead is None:
        shown = "null" if lead_event_name is None else lead_event_name
        raise NotFound(
            f"Lead event not found for externalId: {external} and leadEventName: {shown}"
        )
    return lead


async def _direct_sale_lead(
    repo: TrackingRepository, workspace: Workspace, external: str, body: SaleCreate
) -> tuple[CustomerRow, LeadRow]:
    """A sale with a click id for a customer we have not seen: the customer and a lead for
    them are recorded from the click (spec §2.2 step 5)."""
    found = await attribute(repo, workspace, body.click_id or "", "sale")
    person = Person(body.customer_name, body.customer_email, body.customer_avatar)
    customer, created = await customer_for(repo, workspace, external, person, found)
    lead = None if created else await repo.latest_lead(customer.id, body.lead_event_name)
    if lead is None:
        lead = LeadRow(id=nanoid(16), click_id=found.click.id, link_id=found.link.id)
        await repo.add_leads([{
            "id": lead.id, "workspace_id": workspace.id, "customer_id": customer.id,
            "click_id": lead.click_id, "link_id": lead.link_id,
            "event_name": body.lead_event_name or DIRECT_LEAD, "metadata": body.metadata,
            "timestamp": utcnow(),
        }])  # fmt: skip
    return customer, lead


def _sale(
    workspace: Workspace, customer: CustomerRow, lead: LeadRow, body: SaleCreate,
    event_name: str, rates: RateTable,
) -> dict[str, Any]:  # fmt: skip
    """The column values of the sale."""
    code = (body.currency or "usd").upper()
    rate = rates.rate(code)
    if rate is None:
        raise UnprocessableEntity(
            f"custom: currency: No exchange rate is known for {code} (rates of "
            f"{rates.as_of.isoformat()}); an operator can load newer ones with "
            "`clicktrail fx update`."
        )
    amount: int = body.amount
    return {
        "id": nanoid(16), "workspace_id": workspace.id, "customer_id": customer.id,
        "lead_id": lead.id, "click_id": lead.click_id, "link_id": lead.link_id,
        "event_name": event_name, "amount": _usd_cents(amount, code, rate), "currency": "usd",
        "original_amount": amount, "original_currency": code.lower(), "fx_rate": str(rate),
        "payment_processor": (body.payment_processor or PaymentProcessor.custom).value,
        "invoice_id": body.invoice_id, "metadata": body.metadata, "timestamp": utcnow(),
    }  # fmt: skip


def _usd_cents(amount: int, code: str, rate: Decimal) -> int:
    """The amount in US cents, within what every total can add up exactly (storage/totals.py):
    only a rate far below any real currency's could pass it."""
    usd = amount if code == "USD" else to_usd_cents(amount, code, rate)
    if usd > MOST_PER_SALE:
        raise UnprocessableEntity(
            f"too_big: amount: {amount} {code} is {usd} US cents; one sale may be at most "
            f"{MOST_PER_SALE} US cents."
        )
    return usd
