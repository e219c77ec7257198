"""Routes about the server itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from clicktrail import __version__
from clicktrail.api.deps import RuntimeDep
from clicktrail.fx.service import age_days
from clicktrail.kit.clock import utcnow

router = APIRouter(tags=["System"])


@router.get("/", include_in_schema=False)
async def index() -> dict[str, str]:
    return {"name": "clicktrail", "version": __version__, "docs": "/docs"}


@router.get("/health")
async def health(runtime: RuntimeDep) -> dict[str, Any]:
    """Whether the server and its database answer."""
    async with runtime.db.reader.connect() as conn:
        await conn.execute(text("SELECT 1"))
    rates = await runtime.rates.current()
    fx = {
        "date": rates.as_of.isoformat(),
        "ageDays": age_days(rates, utcnow().date()),
        "source": rates.source,
    }
    return {"status": "ok", "version": __version__, "database": "ok", "fx": fx}
