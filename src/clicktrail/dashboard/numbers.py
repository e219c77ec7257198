"""The analytics a page shows, read through the API's own analytics service."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clicktrail.analytics.filters import NAMES, Filters
from clicktrail.analytics.request import EventType, Selection, time_window
from clicktrail.analytics.service import GroupBy, analytics
from clicktrail.analytics.window import Interval
from clicktrail.errors import UnprocessableEntity
from clicktrail.models import Plan, Workspace
from clicktrail.runtime import Runtime

INTERVALS = [i.value for i in Interval]
PANELS = {
    "top_links": ("Top links", "linkId"),
    "countries": ("Countries", "country"),
    "cities": ("Cities", "city"),
    "devices": ("Devices", "device"),
    "browsers": ("Browsers", "browser"),
    "os": ("OS", "os"),
    "referers": ("Referrers", "referer"),
    "utm_sources": ("UTM sources", "utm_source"),
    "utm_mediums": ("UTM mediums", "utm_medium"),
    "utm_campaigns": ("UTM campaigns", "utm_campaign"),
}
FILTER_NAMES = NAMES


def widest(workspace: Workspace) -> Interval:
    """The longest interval the workspace's plan may read."""
    return Interval.d30 if workspace.plan == Plan.free else Interval.all


def selection(
    workspace: Workspace, params: Mapping[str, str], event: EventType = EventType.composite
) -> Selection:
    """The window and filters a page's query asks for (the API's own parameter names)."""
    raw = params.get("interval") or ("" if params.get("start") else "30d")
    interval = Interval(raw) if raw in INTERVALS else None
    start = _moment(params.get("start"))
    end = _moment(params.get("end"))
    chosen = time_window(workspace, interval, start, end, params.get("timezone") or "UTC")
    return Selection(event, chosen, Filters.parse(workspace.id, params))


def _moment(raw: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError as error:
        raise UnprocessableEntity(f"expected a date such as 2026-01-31, not {raw!r}") from error


async def read(
    session: AsyncSession, runtime: Runtime, chosen: Selection, group_by: GroupBy
) -> Any:
    return await analytics(
        session, chosen=chosen, group_by=group_by, settings=runtime.settings,
        seconds=runtime.settings.analytics_timeout,
    )  # fmt: skip


async def per_link(
    session: AsyncSession, runtime: Runtime, workspace: Workspace, link_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """Clicks, leads, sales and revenue of each of these links over the widest interval."""
    if not link_ids:
        return {}
    chosen = selection(workspace, {"interval": widest(workspace), "linkId": ",".join(link_ids)})
    rows = await read(session, runtime, chosen, GroupBy.top_links)
    return {row["id"]: row for row in rows}
