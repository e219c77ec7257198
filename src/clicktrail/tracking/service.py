"""The rules of lead and customer tracking (spec §1, §3), with DESIGN.md's improvements."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.config import Settings
from clicktrail.errors import BadRequest, Conflict
from clicktrail.kit.clock import utcnow
from clicktrail.kit.currency import RateTable
from clicktrail.kit.ids import nanoid
from clicktrail.kit.names import random_name
from clicktrail.models import Workspace
from clicktrail.tracking import announce, responses, schemas
from clicktrail.tracking.attribution import (
    Person,
    attribute,
    customer_for,
    normalise_event,
    require_external,
)
from clicktrail.tracking.repository import TrackingRepository
from clicktrail.tracking.sales import record_sale

NO_CLICK = (
    "The `clickId` property was not provided in the request, and no existing customer with the "
    "provided `customerExternalId` was found."
)


class TrackingService:
    async def track_lead(
        self, session: AsyncSession, *, workspace: Workspace, body: schemas.LeadCreate,
        settings: Settings,
    ) -> schemas.LeadCreated:  # fmt: skip
        """One transaction: the dedup mark, the customer, N lead rows and their outbox row."""
        repo = TrackingRepository(session)
        external = require_external(body.external)
        customer = await repo.customer_by_external_id(workspace.id, external)
        click_id = body.click_id or (customer.click_id if customer else None)
        if not click_id:
            raise BadRequest(NO_CLICK)
        deferred = body.mode == "deferred"
        event = normalise_event(body.event_name)
        if not deferred and not await repo.claim_lead_mark(workspace.id, external, event):
            return responses.duplicate_lead(click_id, customer, _person(body), external)
        found = await attribute(repo, workspace, click_id, "lead")
        if customer is None:
            customer, _ = await customer_for(repo, workspace, external, _person(body), found)
        elif customer.link_id is None:  # made by /track/customer: its first lead places it
            customer = await repo.place_customer(customer, found.click, found.link)
        if not deferred:
            now = utcnow()
            lead = {
                "workspace_id": workspace.id, "customer_id": customer.id,
                "click_id": found.click.id, "link_id": found.link.id,
                "event_name": body.event_name, "metadata": body.metadata, "timestamp": now,
            }  # fmt: skip
            await repo.add_leads(
                [lead | {"id": nanoid(16)} for _ in range(body.event_quantity or 1)]
            )
            await announce.lead_created(
                repo, body.event_name, workspace.id, customer.id, found.click.id, found.link.id,
                body.metadata, settings,
            )  # fmt: skip
        return responses.lead_created(click_id, found.link, customer, settings)

    async def track_sale(
        self, session: AsyncSession, *, workspace: Workspace, body: schemas.SaleCreate,
        rates: RateTable, settings: Settings,
    ) -> dict[str, Any]:  # fmt: skip
        """An invoice id is claimed first, so concurrent repeats wait and then get its answer."""
        repo = TrackingRepository(session)
        external = require_external(body.external)
        invoice = body.invoice_id
        if invoice and not await repo.claim_invoice(workspace.id, invoice):
            earlier = await repo.invoice_response(workspace.id, invoice)
            if earlier is None:  # committed claims always carry their answer
                raise Conflict(f"The invoice {invoice} is being recorded; retry shortly.")
            return earlier
        response = await record_sale(repo, workspace, external, body, rates, settings)
        if invoice:
            kept = response if response["sale"] is not None else None
            await repo.settle_invoice(workspace.id, invoice, kept)
        return response

    async def upsert_customer(
        self, session: AsyncSession, *, workspace: Workspace, body: schemas.CustomerUpsert
    ) -> schemas.CustomerUpserted:
        """The older `/track/customer`: create or update name, email and avatar by external id."""
        repo = TrackingRepository(session)
        name = body.customer_name or body.customer_email or random_name()
        given = {"email": body.customer_email, "avatar": body.customer_avatar}
        customer, created = await repo.get_or_create_customer(
            {"workspace_id": workspace.id, "external_id": body.customer_id, "name": name, **given}
        )
        if not created:  # like Dub's upsert: what the request leaves out stays as it was
            changes = {k: v for k, v in given.items() if v is not None}
            customer = await repo.update_customer(customer, {"name": name, **changes})
        return responses.customer_upserted(customer)


def _person(body: schemas.LeadCreate | schemas.SaleCreate) -> Person:
    return Person(body.customer_name, body.customer_email, body.customer_avatar)


tracking = TrackingService()
