"""Rollups computed from the stored events: after the upgrade that introduced them, on demand
(`clicktrail analytics rebuild`), and, subtracted, when a link and its clicks are deleted.

The hourly rows are grouped in SQL, one dimension at a time; daily rows are summed from them.
Synchronous, so that a migration can call it; async callers use `run_sync`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.sql.expression import FromClause

from clicktrail.analytics import relations
from clicktrail.analytics.dimensions import DIMENSIONS, TOTAL, Dimension
from clicktrail.analytics.relations import KINDS, Where
from clicktrail.analytics.rollups import ALL_LINKS, STORED, Tally, statements, truncate
from clicktrail.kit.clock import as_utc
from clicktrail.models import Rollup
from clicktrail.models.rollup import VALUE_LENGTH


@dataclass(frozen=True, slots=True)
class Scope:
    """Which events: one workspace's, one link's, or (both None) all of them."""

    workspace_id: str | None = None
    link_id: str | None = None


def rebuild(conn: Connection, scope: Scope = Scope()) -> int:
    """Replace the rollups of a workspace (or of every workspace); returns the rows written."""
    if scope.link_id is not None:
        raise ValueError("rollups are rebuilt per workspace; a link's are subtracted")
    rollups = Rollup.__table__
    if conn.dialect.name == "postgresql":
        # Writers wait: a click committed before this counts here, one committed after it
        # adds itself to the rebuilt rows (SQLite has one writer anyway).
        conn.exec_driver_sql("LOCK TABLE rollups IN EXCLUSIVE MODE")
    where = [] if scope.workspace_id is None else [rollups.c.workspace_id == scope.workspace_id]
    conn.execute(delete(Rollup).where(*where))
    dialect = conn.dialect.name
    for dimension, per_link in _groupings():
        query = _hourly(dimension, scope, dialect, per_link=per_link)
        if dimension.derive is None:
            conn.execute(insert(Rollup).from_select([*_COLUMNS], query))
        else:  # grouped by URL in SQL; by the value derived from it here
            for stmt, rows in statements(dialect, _tally(conn, query, dimension, sign=1)):
                conn.execute(stmt, rows)
    conn.execute(insert(Rollup).from_select([*_COLUMNS], _daily(scope, dialect)))
    return int(conn.scalar(select(func.count()).select_from(rollups).where(*where)) or 0)


def subtract(conn: Connection, scope: Scope) -> None:
    """Take a scope's events out of the rollups, before those events are deleted."""
    tally = Tally()
    for dimension, per_link in _groupings():
        query = _hourly(dimension, scope, conn.dialect.name, per_link=per_link)
        tally.merge(_tally(conn, query, dimension, sign=-1))
    for stmt, rows in statements(conn.dialect.name, tally):
        conn.execute(stmt, rows)


def _tally(conn: Connection, query: Select[Any], dimension: Dimension, *, sign: int) -> Tally:
    """The rows of an hourly grouping, as a tally: with daily rows too when subtracting."""
    tally = Tally()
    grains = ("h",) if sign > 0 else ("h", "d")
    for row in conn.execute(query):
        value = row.value if dimension.derive is None else dimension.derive(row.value)
        if not value and dimension.derive is not None:
            continue
        counts = [sign * n for n in relations.counted([getattr(row, n) for n in STORED])]
        for grain in grains:
            bucket = truncate(_as_datetime(row.bucket), grain)
            tally.count(
                (row.workspace_id, row.link_id, dimension.key, grain, bucket, value), counts
            )
    return tally


_COLUMNS = ("workspace_id", "link_id", "dim", "grain", "bucket", "value", *STORED)


def _groupings() -> Iterator[tuple[Dimension, bool]]:
    yield TOTAL, True
    for dimension in DIMENSIONS:
        yield dimension, False


def _within(scope: Scope) -> Where:
    def where(own: FromClause, _click: FromClause, _kind: str) -> list[ColumnElement[bool]]:
        found = []
        if scope.workspace_id is not None:
            found.append(own.c.workspace_id == scope.workspace_id)
        if scope.link_id is not None:
            found.append(own.c.link_id == scope.link_id)
        return found

    return where


def _hourly(dimension: Dimension, scope: Scope, dialect: str, *, per_link: bool) -> Select[Any]:
    events = relations.events(dimension.column, KINDS, _within(scope))
    bucket = bucket_start(events.c.at, "h", dialect).label("bucket")
    link = events.c.link_id if per_link else literal(ALL_LINKS)
    value: ColumnElement[Any] = events.c.value
    if dimension.derive is None:
        value = func.substr(value, 1, VALUE_LENGTH)
    grouped = [events.c.workspace_id, bucket, value] + ([link] if per_link else [])
    return select(
        events.c.workspace_id,
        link.label("link_id"),
        literal(dimension.key).label("dim"),
        literal("h").label("grain"),
        bucket,
        value.label("value"),
        *(sums.label(name) for sums, name in zip(relations.sums(events), STORED, strict=True)),
    ).group_by(*grouped)


def _daily(scope: Scope, dialect: str) -> Select[Any]:
    r = Rollup.__table__
    day = bucket_start(r.c.bucket, "d", dialect)
    where = [r.c.grain == "h"]
    if scope.workspace_id is not None:
        where.append(r.c.workspace_id == scope.workspace_id)
    return (
        select(r.c.workspace_id, r.c.link_id, r.c.dim, literal("d"), day, r.c.value,
               *relations.sums(r))
        .where(*where)
        .group_by(r.c.workspace_id, r.c.link_id, r.c.dim, day, r.c.value)
    )  # fmt: skip


def bucket_start(moment: Any, grain: str, dialect: str) -> ColumnElement[Any]:
    """SQL for the start of the UTC hour (h) or day (d) of a timestamp column. SQLite keeps
    timestamps as `YYYY-MM-DD HH:MM:SS.ffffff` text, which sorts and compares as time."""
    if dialect == "postgresql":
        return func.date_trunc("hour" if grain == "h" else "day", moment, "UTC")
    if grain == "h":
        return func.substr(moment, 1, 13).concat(":00:00.000000")
    return func.substr(moment, 1, 10).concat(" 00:00:00.000000")


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))
