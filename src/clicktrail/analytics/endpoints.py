from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.analytics import schemas
from clicktrail.analytics.request import EventType, selection
from clicktrail.analytics.service import GroupBy, analytics
from clicktrail.analytics.window import Interval
from clicktrail.api.deps import AnalyticsWorkspace, CountedSession, RuntimeDep
from clicktrail.api.openapi import PARAMETERS, PLAN_GATED
from clicktrail.errors import NotFound
from clicktrail.models import Workspace
from clicktrail.runtime import Runtime

router = APIRouter(
    prefix="/analytics",
    tags=["Analytics"],
    responses=PLAN_GATED,
)

# The path forms of Dub's older analytics API: /analytics/{event}/{endpoint}, /analytics/{endpoint}.
LEGACY_ENDPOINTS = {
    "count": GroupBy.total, "clicks": GroupBy.total, "timeseries": GroupBy.timeseries,
    "country": GroupBy.countries, "city": GroupBy.cities, "device": GroupBy.devices,
    "browser": GroupBy.browsers, "os": GroupBy.os, "referer": GroupBy.referers,
    "trigger": GroupBy.triggers, "top_links": GroupBy.top_links, "top_urls": GroupBy.top_urls,
} | {group.value: group for group in GroupBy}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Asked:
    """The time window's query parameters, shared by every analytics path."""

    interval: Interval | None = None
    start: datetime | None = None
    end: datetime | None = None
    timezone: str = "UTC"


WindowQuery = Annotated[Asked, Depends()]


async def _answer(
    request: Request, workspace: Workspace, session: AsyncSession, runtime: Runtime,
    event: EventType, group_by: GroupBy, asked: Asked,
) -> Any:  # fmt: skip
    chosen = selection(
        request, workspace, event, asked.interval, asked.start, asked.end, asked.timezone
    )
    return await analytics(
        session, chosen=chosen, group_by=group_by, settings=runtime.settings,
        seconds=runtime.settings.analytics_timeout,
    )  # fmt: skip


# The answer is built as dicts; its model is for the document.
@router.get(
    "",
    response_model=None,
    responses=PARAMETERS | {200: {"model": schemas.Answer}},
    openapi_extra={"parameters": schemas.filter_parameters()},
)
async def retrieve_analytics(
    request: Request,
    workspace: AnalyticsWorkspace,
    session: CountedSession,
    runtime: RuntimeDep,
    asked: WindowQuery,
    event: EventType = EventType.clicks,
    group_by: Annotated[GroupBy, Query(alias="groupBy")] = GroupBy.total,
) -> Any:
    """Counts of clicks, leads and sales: in total, over time, or per value of a dimension."""
    return await _answer(request, workspace, session, runtime, event, group_by, asked)


@router.get("/{legacy_event}/{legacy_endpoint}", include_in_schema=False)
async def retrieve_legacy_analytics(
    legacy_event: str,
    legacy_endpoint: str,
    request: Request,
    workspace: AnalyticsWorkspace,
    session: CountedSession,
    runtime: RuntimeDep,
    asked: WindowQuery,
) -> Any:
    if legacy_event not in EventType.__members__ or legacy_endpoint not in LEGACY_ENDPOINTS:
        raise NotFound(f"Unknown analytics path: /analytics/{legacy_event}/{legacy_endpoint}")
    event, group_by = EventType(legacy_event), LEGACY_ENDPOINTS[legacy_endpoint]
    answer = await _answer(request, workspace, session, runtime, event, group_by, asked)
    deprecated = legacy_event == "clicks" or legacy_endpoint == "count"
    return _bare_count(answer, event, group_by, deprecated=deprecated)


@router.get("/{legacy}", include_in_schema=False)
async def retrieve_short_legacy_analytics(
    legacy: str,
    request: Request,
    workspace: AnalyticsWorkspace,
    session: CountedSession,
    runtime: RuntimeDep,
    asked: WindowQuery,
    event: EventType = EventType.clicks,
    group_by: Annotated[GroupBy, Query(alias="groupBy")] = GroupBy.total,
) -> Any:
    """Dub's oldest form, /analytics/{event} or /analytics/{endpoint}."""
    if legacy in EventType.__members__:
        event = EventType(legacy)
    elif legacy in LEGACY_ENDPOINTS:
        group_by = LEGACY_ENDPOINTS[legacy]
    else:
        raise NotFound(f"Unknown analytics path: /analytics/{legacy}")
    answer = await _answer(request, workspace, session, runtime, event, group_by, asked)
    return _bare_count(answer, event, group_by, deprecated=legacy in ("clicks", "count"))


def _bare_count(answer: Any, event: EventType, group_by: GroupBy, *, deprecated: bool) -> Any:
    """Dub's deprecated count paths (/analytics/clicks/count, /analytics/leads/count,
    /analytics/clicks, /analytics/count) answer the number of events alone."""
    if deprecated and group_by is GroupBy.total and event is not EventType.composite:
        return answer[event.value]
    return answer
