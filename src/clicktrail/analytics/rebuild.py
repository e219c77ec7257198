"""Rollups computed from the stored events: added by the folder for each batch it claims,
rebuilt after the upgrade that introduced them or on demand (`clicktrail analytics rebuild`),
and, subtracted, when the folder clears a deleted link.

Rows are grouped in SQL, one dimension at a time (INSERT … SELECT … GROUP BY, upserted when
folding); a rebuild sums its daily rows from its hourly ones. Synchronous, so that a migration
can call it; async callers use `run_sync`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
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
from clicktrail.analytics.rollups import (
    ALL_LINKS,
    GRAINS,
    STORED,
    Tally,
    adding,
    statements,
    truncate,
)
from clicktrail.kit.clock import as_utc
from clicktrail.models import Rollup
from clicktrail.models.rollup import VALUE_LENGTH
from clicktrail.storage.sql import insert as upsert_into


@dataclass(frozen=True, slots=True)
class Scope:
    """Which events: one workspace's, one link's, or (both None) all of them, of `kinds`;
    if `claimed`, only those whose ids are bound as `ids_<kind>` (a fold's batch). Only
    folded ones by default: the folder adds the others (revisions before 0008 have no fold
    marks, and count every event)."""

    workspace_id: str | None = None
    link_id: str | None = None
    kinds: tuple[str, ...] = KINDS
    claimed: bool = False
    folded_only: bool = True


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
        query = _grouped(dimension, scope, dialect, "h", per_link=per_link)
        if dimension.derive is None:
            conn.execute(insert(Rollup).from_select([*_COLUMNS], query))
        else:  # grouped by URL in SQL; by the value derived from it here
            tally = _tally(conn, query, dimension, sign=1, grains=("h",))
            for stmt, rows in statements(dialect, tally):
                conn.execute(stmt, rows)
    conn.execute(insert(Rollup).from_select([*_COLUMNS], _daily(scope, dialect)))
    return int(conn.scalar(select(func.count()).select_from(rollups).where(*where)) or 0)


def add(conn: Connection, claimed: Mapping[str, Sequence[str]]) -> None:
    """Add the events the folder claimed (kind -> ids) to the rollups, hour and day rows
    alike, each grouping in one INSERT … SELECT … ON CONFLICT DO UPDATE."""
    kinds = tuple(kind for kind in KINDS if claimed.get(kind))
    if not kinds:
        return
    params = {f"ids_{kind}": list(claimed[kind]) for kind in kinds}
    upserts, derived = _adding(conn.dialect.name, kinds)
    for stmt in upserts:
        conn.execute(stmt, params)
    tally = Tally()
    for dimension, query in derived:  # grouped by URL in SQL; by the value derived here
        tally.merge(_tally(conn, query, dimension, sign=1, grains=GRAINS, params=params))
    for stmt, rows in statements(conn.dialect.name, tally):
        conn.execute(stmt, rows)


@cache
def _adding(
    dialect: str, kinds: tuple[str, ...]
) -> tuple[list[Any], list[tuple[Dimension, Select[Any]]]]:
    """The statements of `add`, built once per dialect and kinds: building them costs far
    more than running them on a small batch."""
    scope = Scope(kinds=kinds, claimed=True, folded_only=False)
    upserts, derived = [], []
    for dimension, per_link in _groupings():
        if dimension.derive is not None:
            derived.append((dimension, _grouped(dimension, scope, dialect, "h", per_link=per_link)))
            continue
        for grain in GRAINS:
            query = _grouped(dimension, scope, dialect, grain, per_link=per_link)
            upserts.append(adding(_insert(dialect).from_select([*_COLUMNS], query)))
    return upserts, derived


def subtract(conn: Connection, scope: Scope) -> None:
    """Take a scope's events out of the rollups, before those events are deleted."""
    tally = Tally()
    for dimension, per_link in _groupings():
        query = _grouped(dimension, scope, conn.dialect.name, "h", per_link=per_link)
        tally.merge(_tally(conn, query, dimension, sign=-1, grains=GRAINS))
    for stmt, rows in statements(conn.dialect.name, tally):
        conn.execute(stmt, rows)


def _insert(dialect: str) -> Any:
    return upsert_into(Rollup.__table__, dialect)


def _tally(
    conn: Connection, query: Select[Any], dimension: Dimension, *, sign: int,
    grains: Sequence[str], params: Mapping[str, Any] | None = None,
) -> Tally:  # fmt: skip
    """The rows of an hourly grouping, as a tally of rows of `grains`."""
    tally = Tally()
    for row in conn.execute(query, params or {}):
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
    def where(own: FromClause, _click: FromClause, kind: str) -> list[ColumnElement[bool]]:
        found = []
        if scope.workspace_id is not None:
            found.append(own.c.workspace_id == scope.workspace_id)
        if scope.link_id is not None:
            found.append(own.c.link_id == scope.link_id)
        if scope.claimed:
            found.append(own.c.id.in_(bindparam(f"ids_{kind}", expanding=True)))
        if scope.folded_only:
            found.append(own.c.folded.is_(True))
        return found

    return where


def _grouped(
    dimension: Dimension, scope: Scope, dialect: str, grain: str, *, per_link: bool
) -> Select[Any]:
    events = relations.events(dimension.column, scope.kinds, _within(scope))
    bucket = bucket_start(events.c.at, grain, dialect).label("bucket")
    link = events.c.link_id if per_link else literal(ALL_LINKS)
    value: ColumnElement[Any] = events.c.value
    if dimension.derive is None:
        value = func.substr(value, 1, VALUE_LENGTH)
    grouped = [events.c.workspace_id, bucket, value] + ([link] if per_link else [])
    return select(
        events.c.workspace_id,
        link.label("link_id"),
        literal(dimension.key).label("dim"),
        literal(grain).label("grain"),
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
