from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from clicktrail.kit.currency import RateTable
from clicktrail.models import FxSnapshot


async def newest(conn: AsyncConnection) -> RateTable | None:
    stmt = select(FxSnapshot).order_by(FxSnapshot.id.desc()).limit(1)
    row = (await conn.execute(stmt)).first()
    if row is None:
        return None
    rates = {code: Decimal(value) for code, value in row.rates.items()}
    return RateTable(as_of=row.as_of, source=row.source, rates=rates)


async def add(session: AsyncSession, table: RateTable) -> None:
    rates = {code: str(value) for code, value in table.rates.items()}
    session.add(FxSnapshot(as_of=table.as_of, source=table.source, rates=rates))
    await session.flush()
