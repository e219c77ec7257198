from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from clicktrail.api.deps import ConversionWorkspace, RuntimeDep, WriteSession
from clicktrail.api.openapi import BODY, PLAN_GATED, errors
from clicktrail.errors import Conflict
from clicktrail.tracking import schemas
from clicktrail.tracking.service import tracking

router = APIRouter(prefix="/track", tags=["Track"], responses=PLAN_GATED)


@router.post("/lead", response_model=schemas.LeadCreated, responses=BODY)
async def track_lead(
    body: schemas.LeadCreate, workspace: ConversionWorkspace, runtime: RuntimeDep
) -> schemas.LeadCreated:
    """Track a lead for a short link; stored before the answer in every mode but deferred.
    Concurrent leads and sales share one transaction (storage/batches.py)."""
    settings = runtime.settings
    return await runtime.conversions.run(
        lambda session: tracking.track_lead(
            session, workspace=workspace, body=body, settings=settings
        )
    )


# 409: the same invoiceId in a request still being recorded.
@router.post("/sale", response_model=schemas.SaleCreated, responses=BODY | errors(Conflict))
async def track_sale(
    body: schemas.SaleCreate, workspace: ConversionWorkspace, runtime: RuntimeDep
) -> Any:
    """Track a sale, attributed to the customer's lead; a repeated invoiceId gets the first
    answer again."""
    rates = await runtime.rates.current()
    settings = runtime.settings
    answer = await runtime.conversions.run(
        lambda session: tracking.track_sale(
            session, workspace=workspace, body=body, rates=rates, settings=settings
        )
    )
    return JSONResponse(answer)


@router.post("/customer", response_model=schemas.CustomerUpserted, deprecated=True, responses=BODY)
async def track_customer(
    body: schemas.CustomerUpsert, workspace: ConversionWorkspace, session: WriteSession
) -> schemas.CustomerUpserted:
    """Create or update a customer by its external id (the API of Dub's SDKs before 2024-12)."""
    return await tracking.upsert_customer(session, workspace=workspace, body=body)
