"""Routes about the server itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from clicktrail import __version__
from clicktrail.api.deps import RuntimeDep

router = APIRouter(tags=["System"])


@router.get("/", include_in_schema=False)
async def index() -> dict[str, str]:
    return {"name": "clicktrail", "version": __version__, "docs": "/docs"}


@router.get("/health")
async def health(runtime: RuntimeDep) -> dict[str, Any]:
    """Whether the server and its database answer."""
    async with runtime.db.reader.connect() as conn:
        await conn.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": "ok"}
