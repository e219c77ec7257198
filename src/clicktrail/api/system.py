"""Routes about the server itself."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from clicktrail import __version__
from clicktrail.api.deps import RuntimeDep
from clicktrail.fx.service import age_days
from clicktrail.kit.clock import utcnow
from clicktrail.runtime import Runtime
from clicktrail.storage.db import is_unavailable

router = APIRouter(tags=["System"])

Up = Literal["ok", "down"]


class Rates(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    date: str = Field(description="The day of the exchange rates in force.")
    age_days: int = Field(alias="ageDays", description="Days since that day.")
    source: str = Field(description="Where the rates came from.")


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"] = Field(
        description="`down` (with 503) while the database does not answer; `degraded` while "
        "only Redis does not."
    )
    version: str
    database: Up
    redis: Up | None = Field(description="null when no Redis is configured.")
    fx: Rates | None = Field(description="null while the database does not answer.")


@router.get("/", include_in_schema=False)
async def index() -> dict[str, str]:
    return {"name": "clicktrail", "version": __version__, "docs": "/docs"}


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(runtime: RuntimeDep) -> JSONResponse:
    """Whether the server, its database and its Redis answer; 503 while the database does not."""
    database = await _database_up(runtime)
    redis = await runtime.limiter.redis_up()
    answer = Health(
        status="down" if not database else "degraded" if redis is False else "ok",
        version=__version__,
        database="ok" if database else "down",
        redis=None if redis is None else "ok" if redis else "down",
        fx=await _rates(runtime) if database else None,
    )
    return JSONResponse(answer.model_dump(by_alias=True), status_code=200 if database else 503)


async def _database_up(runtime: Runtime) -> bool:
    try:
        async with runtime.db.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as error:
        if not is_unavailable(error):
            raise
        return False
    return True


async def _rates(runtime: Runtime) -> Rates:
    table = await runtime.rates.current()
    return Rates(
        date=table.as_of.isoformat(),
        age_days=age_days(table, utcnow().date()),
        source=table.source,
    )
