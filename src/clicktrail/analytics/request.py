"""The parameters /analytics and /events share: event type, time window, filters, and the
plan rules on how far back a workspace may look (spec §7.2, §5.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Query, Request

from clicktrail.analytics.filters import Filters
from clicktrail.analytics.window import DAY, FOUNDED, Interval, Window, window
from clicktrail.errors import Forbidden, UnprocessableEntity
from clicktrail.kit.clock import as_utc, utcnow
from clicktrail.models import Plan, Workspace

FREE_RANGE = (
    "You can only get analytics for up to 30 days on a Free plan. Upgrade to Pro or Business "
    "to get analytics for longer periods."
)
PRO_RANGE = (
    "You can only get analytics for up to 1 year on a Pro plan. Upgrade to Business to get "
    "analytics for longer periods."
)


class EventType(StrEnum):
    clicks = "clicks"
    leads = "leads"
    sales = "sales"
    composite = "composite"

    @property
    def kinds(self) -> tuple[str, ...]:
        return ("clicks", "leads", "sales") if self is EventType.composite else (self.value,)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which events: of which kinds, when, and matching which filters."""

    event: EventType
    window: Window
    filters: Filters


def _zone(name: str) -> ZoneInfo:
    """An IANA time zone; anything else is read as UTC, as Dub's sanitizeTimezone does."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _instant(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A date or date-time without an offset is a wall-clock time in the requested zone, so
    that `end=2026-01-31` is that day where the reader is."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone)


def _check_start(start: datetime | None) -> None:
    if start is not None and start < FOUNDED:
        raise UnprocessableEntity("too_small: start: start must be on or after 2022-09-22")


def time_window(
    workspace: Workspace,
    interval: Interval | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    timezone: str = "UTC",
) -> Window:
    """The window a request asks for, if the workspace's plan reaches that far back."""
    zone = _zone(timezone)
    start, end = _instant(start, zone), _instant(end, zone)
    _check_start(start)
    now = utcnow()
    chosen = window(
        interval=interval, start=start, end=end, zone=zone, since=workspace.created_at, now=now
    )
    asked = chosen.days if start is None else abs((end or now) - start) / DAY
    _check_plan(workspace.plan, chosen, _days_asked(chosen, workspace.created_at, asked))
    return chosen


def _days_asked(chosen: Window, since: datetime, asked: float) -> float:
    """How far back a request reaches: a custom range as asked, before it is widened to whole
    days, as Dub checks it. `all` reaches back to the workspace's creation, as Dub measures
    it, not to the start of that month, where its first bucket begins."""
    if chosen.interval is Interval.all:
        return (chosen.end - max(as_utc(since), FOUNDED)) / DAY
    return asked


def _check_plan(plan: str, chosen: Window, days: float) -> None:
    if plan == Plan.free and (
        chosen.interval in (Interval.d90, Interval.y1, Interval.ytd, Interval.all) or days > 31
    ):
        raise Forbidden(FREE_RANGE)
    if plan == Plan.pro and days > 366:
        raise Forbidden(PRO_RANGE)


def selection(
    request: Request,
    workspace: Workspace,
    event: EventType,
    interval: Interval | None,
    start: datetime | None,
    end: datetime | None,
    timezone: str,
) -> Selection:
    chosen = time_window(workspace, interval, start, end, timezone)
    params = dict(request.query_params)
    if "tagIds" in params and "tagId" not in params:
        params["tagId"] = params["tagIds"]
    return Selection(event, chosen, Filters.parse(workspace.id, params))


IntervalQuery = Annotated[Interval | None, Query()]
StartQuery = Annotated[datetime | None, Query()]
TimezoneQuery = Annotated[str, Query()]
