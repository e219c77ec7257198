"""Events: clicks, leads or sales, newest first, with the analytics filters, and as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from clicktrail.analytics.request import EventType
from clicktrail.dashboard import numbers, web
from clicktrail.events.service import Page, list_events
from clicktrail.runtime import Runtime

router = APIRouter()
PAGE_SIZE = 50
CSV_ROWS = 10_000
KINDS = ("clicks", "leads", "sales")
COLUMNS = ("timestamp", "event", "link", "country", "city", "device", "browser", "os",
           "referer", "customer", "amount", "currency")  # fmt: skip
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell that starts so


async def _events(
    request: Request, here: web.Place, session: web.Session, runtime: Runtime, size: int
) -> tuple[str, int, list[dict[str, Any]]]:
    params = dict(request.query_params)
    kind = params.get("event") or "clicks"
    kind = kind if kind in KINDS else "clicks"
    number = int(params["page"]) if params.get("page", "").isdigit() else 1
    chosen = numbers.selection(here.workspace, params, EventType(kind))
    found = await list_events(
        session, chosen=chosen, page=Page(max(1, number), size, descending=True),
        settings=runtime.settings, seconds=runtime.settings.analytics_timeout,
    )  # fmt: skip
    return kind, max(1, number), [_flat(event) for event in found]


def _flat(event: dict[str, Any]) -> dict[str, Any]:
    click, sale = event.get("click", {}), event.get("sale") or {}
    customer = event.get("customer") or {}
    return {
        "timestamp": event["timestamp"], "event": event.get("eventName") or event["event"],
        "link": event["link"]["shortLink"], "country": click.get("country"),
        "city": click.get("city"), "device": click.get("device"),
        "browser": click.get("browser"), "os": click.get("os"), "referer": click.get("referer"),
        "customer": customer.get("name") or customer.get("email") or "",
        "amount": sale.get("amount"), "currency": sale.get("currency"),
    }  # fmt: skip


@router.get("/{slug}/events")
async def page(
    request: Request, here: web.Here, session: web.Session, runtime: web.RuntimeDep
) -> Response:
    kind, number, rows = await _events(request, here, session, runtime, PAGE_SIZE)
    params = dict(request.query_params)
    return web.render(
        request, "events.html", here=here, rows=rows, kind=kind, kinds=KINDS, page=number,
        more=len(rows) == PAGE_SIZE, params=params, link_to=web.with_query,
        intervals=numbers.INTERVALS,
        filters={k: v for k, v in params.items() if k in numbers.FILTER_NAMES},
    )  # fmt: skip


@router.get("/{slug}/events.csv")
async def export(
    request: Request, here: web.Here, session: web.Session, runtime: web.RuntimeDep
) -> Response:
    kind, _, rows = await _events(request, here, session, runtime, CSV_ROWS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    name = f"{here.workspace.slug}-{kind}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


def _cell(value: Any) -> Any:
    """A visitor's text that a spreadsheet would read as a formula is kept as text."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA) else value
