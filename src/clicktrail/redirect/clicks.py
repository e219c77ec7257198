"""Recording clicks: one per visitor per link per hour, through group commit."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from clicktrail.models import Click, ClickVisitor, Link
from clicktrail.storage.db import Database
from clicktrail.storage.group_commit import GroupCommitter
from clicktrail.storage.sql import insert

DEDUP_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ClickRow:
    """A click about to be written; `id` is a fresh click id, used only if the visitor is new."""

    id: str
    workspace_id: str
    link_id: str
    timestamp: datetime
    domain: str
    key: str
    url: str
    identity_hash: str
    ip: str
    continent: str
    country: str
    region: str
    city: str
    device: str
    device_vendor: str
    device_model: str
    browser: str
    browser_version: str
    os: str
    os_version: str
    ua: str
    referer: str
    referer_url: str
    trigger: str
    qr: bool


@dataclass(frozen=True, slots=True)
class Recorded:
    click_id: str
    new: bool


class ClickRecorder:
    """Writes clicks; remembers recent visitors so that a repeat needs no database round trip."""

    def __init__(self, db: Database, max_batch: int, memory: int = 100_000) -> None:
        self._committer: GroupCommitter[ClickRow, Recorded] = GroupCommitter(
            db.writer, write_clicks, max_batch
        )
        self._recent: dict[tuple[str, str], tuple[str, float]] = {}
        self._memory = memory

    def start(self) -> None:
        self._committer.start()

    async def close(self) -> None:
        await self._committer.close()

    def recent(self, link_id: str, identity: str) -> str | None:
        """The click id of this visitor's click on this link in the last hour, if we wrote it."""
        hit = self._recent.get((link_id, identity))
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    async def record(self, row: ClickRow) -> Recorded:
        result = await self._committer.submit(row)
        if len(self._recent) >= self._memory:
            self._recent.clear()
        # Remember with the window of the row the database kept, never longer.
        expires = time.monotonic() + DEDUP_WINDOW.total_seconds() - 1
        self._recent[(row.link_id, row.identity_hash)] = (result.click_id, expires)
        return result


async def write_clicks(conn: AsyncConnection, rows: Sequence[ClickRow]) -> list[Recorded]:
    results: list[Recorded] = []
    new_rows: list[dict[str, object]] = []
    per_link: dict[str, tuple[int, datetime]] = {}
    for row in rows:
        click_id = await _claim_visitor(conn, row)
        results.append(Recorded(click_id=click_id, new=click_id == row.id))
        if click_id == row.id:
            new_rows.append(asdict(row))
            count, _ = per_link.get(row.link_id, (0, row.timestamp))
            per_link[row.link_id] = (count + 1, row.timestamp)
    if new_rows:
        await conn.execute(insert(Click.__table__, conn.dialect.name), new_rows)
    for link_id, (count, last) in per_link.items():
        await conn.execute(
            update(Link)
            .where(Link.id == link_id)
            .values(clicks=Link.clicks + count, last_clicked=last)
        )
    return results


async def _claim_visitor(conn: AsyncConnection, row: ClickRow) -> str:
    """Insert the visitor's hour, or take over an expired one; else return the current click."""
    table = ClickVisitor.__table__
    stmt = insert(table, conn.dialect.name).values(
        link_id=row.link_id,
        identity_hash=row.identity_hash,
        click_id=row.id,
        expires_at=row.timestamp + DEDUP_WINDOW,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.link_id, table.c.identity_hash],
        set_={"click_id": stmt.excluded.click_id, "expires_at": stmt.excluded.expires_at},
        where=table.c.expires_at <= row.timestamp,
    ).returning(table.c.click_id)
    claimed = (await conn.execute(stmt)).scalar()
    if claimed is not None:
        return str(claimed)
    current = await conn.scalar(
        select(table.c.click_id).where(
            table.c.link_id == row.link_id, table.c.identity_hash == row.identity_hash
        )
    )
    return str(current)
