"""Customers: list and search; one customer's journey from click to sales."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from clicktrail.customers.repository import CustomerFilter
from clicktrail.customers.service import Paging
from clicktrail.customers.service import customer as customer_service
from clicktrail.dashboard import journey, web

router = APIRouter()
PAGE_SIZE = 50


@router.get("/{slug}/customers")
async def list_customers(request: Request, here: web.Here, session: web.Session) -> Response:
    query = request.query_params.get("q") or None
    page = request.query_params.get("page", "")
    number = max(1, min(1000, int(page))) if page.isdigit() else 1
    found = await customer_service.list_customers(
        session, where=CustomerFilter(here.workspace.id, search=query),
        paging=Paging(page=number, size=PAGE_SIZE),
    )  # fmt: skip
    return web.render(
        request, "customers.html", here=here, customers=found, q=query or "", page=number,
        more=len(found) == PAGE_SIZE,
    )  # fmt: skip


@router.get("/{slug}/customers/{customer_id}")
async def one(request: Request, customer_id: str, here: web.Here, session: web.Session) -> Response:
    found = await customer_service.get(session, workspace=here.workspace, ref=customer_id)
    story = await journey.of(session, found)
    return web.render(request, "customer.html", here=here, customer=found, journey=story)
