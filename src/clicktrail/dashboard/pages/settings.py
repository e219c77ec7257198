"""Settings: the exchange rates in force and how old they are, and the server's health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from clicktrail import __version__
from clicktrail.dashboard import web
from clicktrail.fx import repository as fx_repository
from clicktrail.fx.service import age_days
from clicktrail.kit.clock import utcnow
from clicktrail.kit.currency import bundled_rates

router = APIRouter()


@router.get("/{slug}/settings")
async def page(
    request: Request, here: web.Here, session: web.Session, runtime: web.RuntimeDep
) -> Response:
    connection = await session.connection()
    rates = await fx_repository.newest(connection) or bundled_rates()
    return web.render(
        request, "settings.html", here=here, rates=rates, age=age_days(rates, utcnow().date()),
        version=__version__, dispatcher=runtime.settings.webhook_dispatcher,
        geoip=runtime.settings.geoip_path is not None,
    )  # fmt: skip
