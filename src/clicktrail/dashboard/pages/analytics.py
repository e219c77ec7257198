"""Analytics: the time series, the totals and a panel per dimension; a value filters all."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from clicktrail.analytics.service import GroupBy
from clicktrail.dashboard import numbers, web

router = APIRouter()
PANEL_ROWS = 10
# The field of a panel's rows that holds its value, where it is not the filter's own name.
VALUE_FIELD = {"linkId": "shortLink"}


@router.get("/{slug}/analytics")
async def page(
    request: Request, here: web.Here, session: web.Session, runtime: web.RuntimeDep
) -> Response:
    params = dict(request.query_params)
    chosen = numbers.selection(here.workspace, params)
    series = await numbers.read(session, runtime, chosen, GroupBy.timeseries)
    total = await numbers.read(session, runtime, chosen, GroupBy.total)
    panels = []
    for group, (title, param) in numbers.PANELS.items():
        rows = await numbers.read(session, runtime, chosen, GroupBy(group))
        panels.append({"title": title, "param": param,
                       "rows": [_row(row, group, param) for row in rows[:PANEL_ROWS]]})  # fmt: skip
    filters = {k: v for k, v in params.items() if k in numbers.FILTER_NAMES}
    return web.render(
        request, "analytics.html", here=here, params=params, total=total, panels=panels,
        chart={"labels": [_label(p["start"]) for p in series],
               **{m: [p[m] for p in series] for m in ("clicks", "leads", "sales", "saleAmount")}},
        intervals=numbers.INTERVALS, filters=filters, link_to=web.with_query,
    )  # fmt: skip


def _label(start: str) -> str:
    """`2026-01-31` for a day or month, `2026-01-31 14:00` for an hour."""
    day, time = start[:10], start[11:16]
    return day if time == "00:00" else f"{day} {time}"


def _row(row: dict[str, Any], group: str, param: str | None) -> dict[str, Any]:
    shown_field = VALUE_FIELD.get(param or group, param or "")
    value = row["id"] if param == "linkId" else row.get(param or "", "")
    return {"label": row.get(shown_field) or value, "value": value, **row}
