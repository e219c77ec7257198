from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from clicktrail.analytics.request import EventType, selection
from clicktrail.analytics.schemas import filter_parameters
from clicktrail.analytics.window import Interval
from clicktrail.api.deps import ConversionWorkspace, CountedSession, RuntimeDep
from clicktrail.api.openapi import MAX_PAGE, PARAMETERS, PLAN_GATED
from clicktrail.events.schemas import Event
from clicktrail.events.service import Page, list_events
from clicktrail.links.schemas import SortOrder

router = APIRouter(prefix="/events", tags=["Events"], responses=PLAN_GATED)


class EventKind(StrEnum):
    clicks = "clicks"
    leads = "leads"
    sales = "sales"


class SortBy(StrEnum):
    timestamp = "timestamp"


# The answer is built as dicts; its model is for the document.
@router.get(
    "",
    response_model=None,
    responses=PARAMETERS | {200: {"model": list[Event]}},
    openapi_extra={"parameters": filter_parameters()},
)
async def list_events_route(
    request: Request,
    workspace: ConversionWorkspace,
    session: CountedSession,
    runtime: RuntimeDep,
    event: EventKind = EventKind.clicks,
    interval: Interval | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    timezone: str = "UTC",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    sort_by: Annotated[SortBy, Query(alias="sortBy")] = SortBy.timestamp,  # noqa: ARG001 - the only one
    sort_order: Annotated[SortOrder | None, Query(alias="sortOrder")] = None,
    order: Annotated[SortOrder | None, Query(deprecated=True)] = None,
) -> list[dict[str, Any]]:
    """Clicks, leads or sales, newest first, with their link, click and customer."""
    chosen = selection(request, workspace, EventType(event.value), interval, start, end, timezone)
    descending = (sort_order or order or SortOrder.desc) is SortOrder.desc
    return await list_events(
        session, chosen=chosen, page=Page(page, limit, descending), settings=runtime.settings,
        seconds=runtime.settings.analytics_timeout,
    )  # fmt: skip
