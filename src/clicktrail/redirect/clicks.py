"""Recording clicks: one per visitor per link per hour, through group commit. A batch writes
its clicks, their visitor claims and their outbox rows, nothing derived: the folder (folding/)
adds them to the link counters and the rollups after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from clicktrail.config import Settings
from clicktrail.kit.clock import as_utc, utcnow
from clicktrail.models import Click, ClickVisitor, Link, LinkTag, Tag
from clicktrail.storage.db import Database
from clicktrail.storage.group_commit import GroupCommitter
from clicktrail.storage.sql import insert
from clicktrail.webhooks import outbox, payloads

DEDUP_WINDOW = timedelta(hours=1)
# Visitors a worker remembers, about 0.45 KB each; then it starts afresh. Repeats come within
# seconds (reloads, double clicks), and the database settles any it has forgotten. At 100,000
# the soak (bench/soak.py) grew by 30-40 MB over its first quarter hour.
RECENT_VISITORS = 10_000


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


def fitted(row: ClickRow) -> ClickRow:
    """Visitor-controlled text cut to its column's length: a crafted user agent or referrer
    must not fail the batch it is written in (PostgreSQL refuses over-long values)."""
    cut: dict[str, Any] = {
        name: value[:limit]
        for name, limit in _LENGTHS.items()
        if isinstance(value := getattr(row, name, None), str) and len(value) > limit
    }
    return replace(row, **cut) if cut else row


def _values(row: ClickRow) -> dict[str, Any]:
    """The row as the insert takes it (`dataclasses.asdict` deep-copies: slow, for strings)."""
    return {name: getattr(row, name) for name in _FIELDS}


_FIELDS = tuple(field.name for field in fields(ClickRow))
_LENGTHS: dict[str, int] = {
    column.name: length
    for column in Click.__table__.columns
    if isinstance(length := getattr(column.type, "length", None), int)
}


@dataclass(frozen=True, slots=True)
class Recorded:
    click_id: str
    new: bool
    expires_at: datetime  # the end of the visitor's hour on this link, as the database holds it


class ClickRecorder:
    """Writes clicks; remembers recent visitors so that a repeat needs no database round trip."""

    def __init__(self, db: Database, settings: Settings, memory: int = RECENT_VISITORS) -> None:
        self._committer: GroupCommitter[ClickRow, Recorded] = GroupCommitter(
            db.writer, partial(write_clicks, settings=settings), settings.click_batch_size
        )
        self._recent: dict[tuple[str, str], tuple[str, datetime]] = {}
        self._memory = memory

    def start(self) -> None:
        self._committer.start()

    async def close(self) -> None:
        await self._committer.close()

    def recent(self, link_id: str, identity: str) -> str | None:
        """The click id of this visitor's hour on this link, if this worker has seen it."""
        hit = self._recent.get((link_id, identity))
        if hit is None or hit[1] <= utcnow():
            return None
        return hit[0]

    async def record(self, row: ClickRow) -> Recorded:
        result = await self._committer.submit(row)
        if len(self._recent) >= self._memory:
            self._recent.clear()
        # Remember until the database's hour ends, never longer: the hour may have begun on
        # another worker, long before this request.
        self._recent[(row.link_id, row.identity_hash)] = (result.click_id, result.expires_at)
        return result


async def write_clicks(
    conn: AsyncConnection, rows: Sequence[ClickRow], *, settings: Settings
) -> list[Recorded]:
    claims = await _claim_visitors(conn, rows)
    results = [
        Recorded(click_id=click_id, new=click_id == row.id, expires_at=expires_at)
        for row, (click_id, expires_at) in zip(rows, claims, strict=True)
    ]
    new_rows = [row for row, result in zip(rows, results, strict=True) if result.new]
    if new_rows:
        await conn.execute(
            insert(Click.__table__, conn.dialect.name), [_values(r) for r in new_rows]
        )
    await _announce(conn, new_rows, settings)
    return results


async def _announce(
    conn: AsyncConnection, new_rows: Sequence[ClickRow], settings: Settings
) -> None:
    """`link.clicked` for the workspaces that subscribe to it (one query when none do)."""
    targets = await outbox.subscribers(conn, {r.workspace_id for r in new_rows}, "link.clicked")
    rows = [row for row in new_rows if row.workspace_id in targets]
    if not rows:
        return
    link_ids = {r.link_id for r in rows}
    found = await conn.execute(select(Link).where(Link.id.in_(link_ids)))
    tags = await _tags_of(conn, link_ids)
    by_id = {  # counters as folded so far
        link.id: Link(**link._mapping, tags=tags.get(link.id, [])) for link in found
    }
    events = [
        outbox.Event(
            row.workspace_id,
            "link.clicked",
            payloads.clicked_data(row, by_id[row.link_id], settings),
        )
        for row in rows
    ]
    await outbox.enqueue(conn, events, targets)


async def _tags_of(conn: AsyncConnection, link_ids: set[str]) -> dict[str, list[Tag]]:
    """Each link's tags, in the order they were put on it, for its `link.clicked` payload."""
    stmt = (
        select(LinkTag.link_id, Tag.id, Tag.name, Tag.color)
        .join(Tag, Tag.id == LinkTag.tag_id)
        .where(LinkTag.link_id.in_(link_ids))
        .order_by(LinkTag.created_at)
    )
    tags: dict[str, list[Tag]] = {}
    for link_id, tag_id, name, color in await conn.execute(stmt):
        tags.setdefault(link_id, []).append(Tag(id=tag_id, name=name, color=color))
    return tags


async def _claim_visitors(
    conn: AsyncConnection, rows: Sequence[ClickRow]
) -> list[tuple[str, datetime]]:
    """Each row's click id and the end of its visitor's hour: its own id if its visitor is new
    on the link (or their hour is over), else the id of the hour's click. One upsert claims
    the whole batch; the visitors it could not claim, another writer holds, and one select
    reads them. Rows are claimed in one global order, so that concurrent batches of several
    workers wait for each other instead of deadlocking."""
    first: dict[tuple[str, str], ClickRow] = {}
    for row in sorted(rows, key=lambda r: (r.link_id, r.identity_hash)):
        first.setdefault((row.link_id, row.identity_hash), row)  # a repeat within the batch
    claims = await _upsert_visitors(conn, list(first.values()))
    missing = [key for key in first if key not in claims]
    if missing:
        claims |= await _current_visitors(conn, missing)
    return [claims[(row.link_id, row.identity_hash)] for row in rows]


async def _upsert_visitors(
    conn: AsyncConnection, rows: Sequence[ClickRow]
) -> dict[tuple[str, str], tuple[str, datetime]]:
    # An hour over by the batch's first click; a later one's is milliseconds later at most.
    over_by = min(r.timestamp for r in rows)
    params = [
        {"link_id": r.link_id, "identity_hash": r.identity_hash, "click_id": r.id,
         "expires_at": r.timestamp + DEDUP_WINDOW, "over_by": over_by}
        for r in rows
    ]  # fmt: skip
    found = await conn.execute(_claim_statement(conn.dialect.name), params)
    return {(r.link_id, r.identity_hash): (r.click_id, as_utc(r.expires_at)) for r in found}


@cache
def _claim_statement(dialect: str) -> Executable:
    """One statement for every batch, so it is compiled once: run with many parameter sets,
    SQLAlchemy sends it as multi-row VALUES (its "insertmanyvalues")."""
    table = ClickVisitor.__table__
    stmt = insert(table, dialect)
    claim: Executable = stmt.on_conflict_do_update(
        index_elements=[table.c.link_id, table.c.identity_hash],
        set_={"click_id": stmt.excluded.click_id, "expires_at": stmt.excluded.expires_at},
        where=table.c.expires_at <= bindparam("over_by", type_=table.c.expires_at.type),
    ).returning(table.c.link_id, table.c.identity_hash, table.c.click_id, table.c.expires_at)
    return claim


async def _current_visitors(
    conn: AsyncConnection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, datetime]]:
    table = ClickVisitor.__table__
    found = await conn.execute(
        select(table.c.link_id, table.c.identity_hash, table.c.click_id, table.c.expires_at).where(
            tuple_(table.c.link_id, table.c.identity_hash).in_(keys)
        )
    )
    return {(r.link_id, r.identity_hash): (r.click_id, as_utc(r.expires_at)) for r in found}
