"""All SQL of the folder: its lease, the claim of pending events by their fold marks, the
grouped updates of link counters and customer totals, and the clearing of deleted links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Table,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from clicktrail.analytics import rebuild
from clicktrail.models import Click, Customer, Lead, Lease, Link, LinkDeletion, Sale
from clicktrail.models.base import PENDING
from clicktrail.storage import totals
from clicktrail.storage.sql import insert

EVENTS: dict[str, Table] = {
    "clicks": Click.__table__,  # type: ignore[dict-item]
    "leads": Lead.__table__,  # type: ignore[dict-item]
    "sales": Sale.__table__,  # type: ignore[dict-item]
}
Claimed = Mapping[str, Sequence[str]]  # kind -> ids of the events this fold counts


@dataclass(frozen=True, slots=True)
class SaleRow:
    id: str
    customer_id: str
    link_id: str
    amount: int
    timestamp: datetime


class FoldRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease; False while another holder's runs. On PostgreSQL the row
        stays locked until this transaction ends, so a second folder waits, then sees it held."""
        table = Lease.__table__
        stmt = insert(table, self.conn.dialect.name).values(
            name=name, holder=holder, expires_at=until
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.name],
            set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
            where=or_(table.c.holder == holder, table.c.expires_at < now),
        ).returning(table.c.holder)
        return (await self.conn.execute(stmt)).first() is not None

    async def release_lease(self, name: str, holder: str) -> None:
        await self.conn.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))

    async def anything_pending(self) -> bool:
        """A read first, so that an idle folder does not take the write lock (SQLite)."""
        pending = [select(literal(1)).select_from(t).where(text(PENDING)).limit(1)
                   for t in EVENTS.values()]  # fmt: skip
        deletions = select(literal(1)).select_from(LinkDeletion).limit(1)
        query = union_all(*(q.subquery().select() for q in [*pending, deletions]))
        return (await self.conn.execute(query.limit(1))).first() is not None

    async def pending_of(self, workspace_id: str) -> dict[str, list[str]]:
        """The ids of a workspace's events not folded yet, and of its links being cleared."""
        found: dict[str, list[str]] = {}
        for kind, table in EVENTS.items():
            query = select(table.c.id).where(table.c.workspace_id == workspace_id, text(PENDING))
            found[kind] = list((await self.conn.scalars(query)).all())
        deletions = select(LinkDeletion.link_id).where(LinkDeletion.workspace_id == workspace_id)
        found["deletions"] = list((await self.conn.scalars(deletions)).all())
        return found

    async def still_pending(self, waited: Mapping[str, Sequence[str]]) -> bool:
        for kind, table in EVENTS.items():
            ids = waited.get(kind)
            if ids:
                query = select(table.c.id).where(table.c.id.in_(ids), text(PENDING)).limit(1)
                if (await self.conn.execute(query)).first() is not None:
                    return True
        gone = waited.get("deletions")
        if gone:
            query = select(LinkDeletion.link_id).where(LinkDeletion.link_id.in_(gone)).limit(1)
            return (await self.conn.execute(query)).first() is not None
        return False

    async def claim(self, kind: str, most: int) -> list[str]:
        """Mark up to `most` pending events folded; their counts must be added in this same
        transaction. `NOT folded` is checked again on the row itself: a concurrent claim that
        got there first (PostgreSQL re-reads a row it waited for) leaves it to that one."""
        table = EVENTS[kind]
        pending = select(table.c.id).where(text(PENDING)).limit(most).scalar_subquery()
        stmt = (
            update(table)
            .where(table.c.id.in_(pending), text(PENDING))
            .values(folded=True)
            .returning(table.c.id)
        )
        return list((await self.conn.scalars(stmt)).all())

    async def add_to_rollups(self, claimed: Claimed) -> None:
        await self.conn.run_sync(lambda sync: rebuild.add(sync, claimed))

    async def count_clicks(self, ids: Sequence[str]) -> None:
        await self._count(Click.__table__, ids, Link.clicks, Link.last_clicked)

    async def count_leads(self, ids: Sequence[str]) -> None:
        await self._count(Lead.__table__, ids, Link.leads, Link.last_lead_at)

    async def _count(self, events: Any, ids: Sequence[str], counter: Any, last: Any) -> None:
        """Add events to their links' counter and last-event time, grouped by link in SQL."""
        c = events.c
        query = select(c.link_id, func.count(), func.max(c.timestamp)).where(c.id.in_(ids))
        rows = (await self.conn.execute(query.group_by(c.link_id))).all()
        stmt = update(Link).where(Link.id == bindparam("k")).values({
            counter: counter + bindparam("n"),
            last: _later(last, bindparam("last", type_=last.type)),
        })  # fmt: skip
        await self._each(stmt, [{"k": k, "n": n, "last": at} for k, n, at in rows])

    async def sales(self, ids: Sequence[str]) -> list[SaleRow]:
        c = Sale.__table__.c
        query = (
            select(c.id, c.customer_id, c.link_id, c.amount, c.timestamp)
            .where(c.id.in_(ids))
            .order_by(c.timestamp, c.id)
        )
        return [
            SaleRow(row.id, row.customer_id, row.link_id, row.amount, row.timestamp)
            for row in await self.conn.execute(query)
        ]

    async def customers(self, ids: Sequence[str]) -> dict[str, tuple[int, str | None]]:
        """(sales folded so far, link) of each customer."""
        c = Customer.__table__.c
        query = select(c.id, c.sales, c.link_id).where(c.id.in_(ids))
        return {row.id: (row.sales, row.link_id) for row in await self.conn.execute(query)}

    async def count_link_sales(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows: k (link id), n (sales), high/low (their amount), conv (conversions), last."""
        last = bindparam("last", type_=Link.last_conversion_at.type)
        stmt = (
            update(Link)
            .where(Link.id == bindparam("k"))
            .values(
                sales=Link.sales + bindparam("n"),
                conversions=Link.conversions + bindparam("conv"),
                last_conversion_at=case(
                    (bindparam("conv") > 0, _later(Link.last_conversion_at, last)),
                    else_=Link.last_conversion_at,
                ),
                **_plus(Link.sale_amount_high, Link.sale_amount_low),
            )
        )
        await self._each(stmt, rows)

    async def count_customer_sales(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows: k (customer id), n (sales), high/low (their amount), first (earliest sale)."""
        first = bindparam("first", type_=Customer.first_sale_at.type)
        stmt = (
            update(Customer)
            .where(Customer.id == bindparam("k"))
            .values(
                sales=Customer.sales + bindparam("n"),
                first_sale_at=func.coalesce(Customer.first_sale_at, first),
                **_plus(Customer.sale_amount_high, Customer.sale_amount_low),
            )
        )
        await self._each(stmt, rows)

    async def _each(self, stmt: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """One statement, run once per row, in key order: the order every fold locks in."""
        if rows:
            await self.conn.execute(stmt, sorted(rows, key=lambda row: row["k"]))

    async def next_deletion(self) -> tuple[str, str, bool] | None:
        query = select(LinkDeletion.link_id, LinkDeletion.workspace_id, LinkDeletion.subtracted)
        row = (await self.conn.execute(query.order_by(LinkDeletion.deleted_at).limit(1))).first()
        return None if row is None else (row[0], row[1], bool(row[2]))

    async def link_has_pending(self, link_id: str) -> bool:
        for table in EVENTS.values():
            query = select(table.c.id).where(table.c.link_id == link_id, text(PENDING)).limit(1)
            if (await self.conn.execute(query)).first() is not None:
                return True
        return False

    async def subtract_link(self, workspace_id: str, link_id: str) -> None:
        """Take the link's events (all folded by now) out of the rollups, once."""
        scope = rebuild.Scope(workspace_id=workspace_id, link_id=link_id)
        await self.conn.run_sync(lambda sync: rebuild.subtract(sync, scope))
        await self.conn.execute(
            update(LinkDeletion).where(LinkDeletion.link_id == link_id).values(subtracted=True)
        )

    async def delete_clicks(self, link_id: str, most: int) -> int:
        """Up to `most` of a deleted link's clicks; its leads and sales stay, as revenue
        history (models/conversion.py), and drop out of analytics with their clicks."""
        c = Click.__table__.c
        some = select(c.id).where(c.link_id == link_id).limit(most).scalar_subquery()
        done = await self.conn.execute(delete(Click).where(c.id.in_(some)))
        return int(done.rowcount or 0)

    async def forget_deletion(self, link_id: str) -> None:
        await self.conn.execute(delete(LinkDeletion).where(LinkDeletion.link_id == link_id))


def _later(column: Any, value: Any) -> ColumnElement[Any]:
    """The later of a nullable timestamp column and a value (events fold in any order)."""
    return case((column.is_(None), value), (column < value, value), else_=column)


def _plus(high: Any, low: Any) -> dict[str, Any]:
    more = (bindparam("high", type_=BigInteger), bindparam("low", type_=BigInteger))
    new_high, new_low = totals.added(high, low, *more)
    return {"sale_amount_high": new_high, "sale_amount_low": new_low}
