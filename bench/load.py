"""Writing the data set into SQLite (executemany in large transactions) or PostgreSQL (COPY), then
computing the rollups with the app's own rebuild, as an operator would after a bulk import."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import asyncpg
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench import dataset as d
from clicktrail import admin
from clicktrail.analytics.rebuild import rebuild
from clicktrail.config import Settings
from clicktrail.models import Rollup
from clicktrail.storage.migrate import upgrade
from clicktrail.storage.urls import async_url

BATCH = 100_000  # rows per transaction or COPY


@dataclass(frozen=True, slots=True)
class Meta:
    """What a cached data set is, written beside it once it is complete."""

    database_url: str
    scale: float
    seed: int
    end: str  # when the generated clicks stop; the 30-day window is counted back from now
    workspace_id: str
    api_key: str
    clicks: int
    leads: int
    sales: int
    links: int
    generate_seconds: float
    rebuild_seconds: float
    rollup_rows: int

    @property
    def end_time(self) -> datetime:
        return datetime.fromisoformat(self.end)


class Sink(Protocol):
    """Where rows go: one SQLite file or one PostgreSQL database."""

    def stamp(self, at: datetime) -> Any: ...

    async def copy(self, table: str, columns: Sequence[str], rows: Sequence[d.Row]) -> None: ...

    async def execute(self, sql: str, rows: Sequence[d.Row]) -> None: ...


class SqliteSink:
    def __init__(self, path: Path) -> None:
        # Written from a worker thread while the next batch is generated in another.
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-2000000",
                       "temp_store=MEMORY"):  # fmt: skip
            self.conn.execute(f"PRAGMA {pragma}")

    def stamp(self, at: datetime) -> str:
        """As SQLAlchemy stores a UTC datetime in SQLite."""
        return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    async def copy(self, table: str, columns: Sequence[str], rows: Sequence[d.Row]) -> None:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - ours
        await self.execute(sql, rows)

    async def execute(self, sql: str, rows: Sequence[d.Row]) -> None:
        await asyncio.to_thread(self._execute, sql, rows)

    def _execute(self, sql: str, rows: Sequence[d.Row]) -> None:
        self.conn.execute("BEGIN")
        self.conn.executemany(sql.replace("$", "?"), rows)
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


class PostgresSink:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    def stamp(self, at: datetime) -> datetime:
        return at

    async def copy(self, table: str, columns: Sequence[str], rows: Sequence[d.Row]) -> None:
        await self.conn.copy_records_to_table(table, records=rows, columns=list(columns))

    async def execute(self, sql: str, rows: Sequence[d.Row]) -> None:
        await self.conn.executemany(_numbered(sql), rows)


def _numbered(sql: str) -> str:
    """`$` placeholders as PostgreSQL's `$1, $2, …`."""
    parts = sql.split("$")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


async def generate(sink: Sink, data: d.DataSet) -> None:
    """Every table's rows, clicks streamed: the next batch is generated in a thread while the
    database takes the previous one (SQLite and PostgreSQL both release the GIL meanwhile)."""
    await sink.copy("links", d.LINK_COLUMNS, data.link_rows(sink.stamp))
    batches = _batched(data.clicks(sink.stamp))
    started, done = time.monotonic(), 0
    writing: asyncio.Task[None] | None = None
    while (batch := await asyncio.to_thread(next, batches, None)) is not None:
        if writing is not None:
            await writing
        writing = asyncio.create_task(sink.copy("clicks", d.CLICK_COLUMNS, batch))
        done += len(batch)
        _progress("clicks", done, data.size.clicks, started)
    if writing is not None:
        await writing
    conversions = data.conversions(sink.stamp)
    await sink.copy("customers", d.CUSTOMER_COLUMNS, conversions.customers)
    await sink.copy("leads", d.LEAD_COLUMNS, conversions.leads)
    await sink.copy("lead_marks", d.MARK_COLUMNS, conversions.marks)
    await sink.copy("sales", d.SALE_COLUMNS, conversions.sales)
    counters = ", ".join(f"{name} = $" for name in d.COUNTER_COLUMNS)
    update = f"UPDATE links SET {counters} WHERE id = $"  # noqa: S608 - our own column names
    await sink.execute(update, data.counter_rows(sink.stamp))
    print(f"  customers, leads and sales written ({len(conversions.sales):,} sales)", flush=True)


def _batched(chunks: Iterator[list[d.Row]]) -> Iterator[list[d.Row]]:
    batch: list[d.Row] = []
    for chunk in chunks:
        batch += chunk
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _progress(what: str, done: int, total: int, started: float) -> None:
    step = max(total // 20, 1)
    if done // step == (done - BATCH) // step and done < total:
        return
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed else 0.0
    eta = (total - done) / rate if rate else 0.0
    print(f"  {what}: {done:>11,} / {total:,}  {rate:,.0f}/s  eta {eta:,.0f} s", flush=True)


async def tenant(url: str) -> tuple[str, str]:
    """An enterprise workspace and an API key, made by the app's own admin functions."""

    async def action(ctx: admin.Context) -> tuple[str, str]:
        ws = await admin.create_workspace(ctx, "Bench", "bench", "enterprise")
        key = await admin.create_key(ctx, "bench", "bench")
        return ws["id"], key["key"]

    return await admin.run(Settings(database_url=url), action)


async def tenant_keys(url: str, slug: str, count: int) -> list[str]:
    """An enterprise workspace with `count` API keys: load is spread over them to stay under
    each key's rate limit."""

    async def action(ctx: admin.Context) -> list[str]:
        await admin.create_workspace(ctx, slug.title(), slug, "enterprise")
        return [(await admin.create_key(ctx, slug, f"{slug} {n}"))["key"] for n in range(count)]

    return await admin.run(Settings(database_url=url), action)


def folded_rebuild(conn: Connection) -> int:
    """The loaded counters already count the loaded events: they are marked folded (or the
    server's folder would count them again), then the rollups are built from them."""
    for table in ("clicks", "leads", "sales"):
        conn.execute(text(f"UPDATE {table} SET folded = true WHERE NOT folded"))  # noqa: S608
    return rebuild(conn)


def rebuild_sqlite(path: Path) -> int:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            return folded_rebuild(conn)
    finally:
        engine.dispose()


async def rebuild_async(url: str) -> int:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(folded_rebuild)
    finally:
        await engine.dispose()


async def rollup_rows(url: str) -> int:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(Rollup)) or 0)
    finally:
        await engine.dispose()


def read_meta(path: Path) -> Meta | None:
    try:
        return Meta(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def write_meta(path: Path, meta: Meta) -> None:
    path.write_text(json.dumps(asdict(meta), indent=2) + "\n")


@asynccontextmanager
async def pg_connection(url: str, database: str | None = None) -> AsyncIterator[asyncpg.Connection]:
    parsed = make_url(url)
    conn = await asyncpg.connect(
        user=parsed.username, password=parsed.password, host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432, database=database or parsed.database or "postgres",
    )  # fmt: skip
    try:
        yield conn
    finally:
        await conn.close()


async def create(url: str, sink: Sink, size: d.Size, seed: int) -> tuple[Meta, d.DataSet]:
    """Migrate an empty database and fill it; the rollups are left to the caller."""
    await upgrade(url)
    workspace_id, key = await tenant(url)
    end = datetime.now(UTC).replace(microsecond=0)
    data = d.DataSet(size, seed, end, workspace_id)
    created = sink.stamp(data.workspace_created)
    await sink.execute("UPDATE workspaces SET created_at = $, updated_at = $ WHERE id = $",
                       [(created, created, workspace_id)])  # fmt: skip
    await sink.copy("domains", ("domain", "workspace_id", "created_at"),
                    [(d.DOMAIN, workspace_id, created)])  # fmt: skip
    started = time.monotonic()
    await generate(sink, data)
    meta = Meta(
        database_url=url, scale=0.0, seed=seed, end=end.isoformat(), workspace_id=workspace_id,
        api_key=key, clicks=size.clicks, leads=size.leads, sales=size.sales, links=size.links,
        generate_seconds=round(time.monotonic() - started, 1), rebuild_seconds=0.0, rollup_rows=0,
    )  # fmt: skip
    return meta, data


def _tag(scale: float) -> str:
    return f"s{scale:g}"


def meta_file(data_dir: Path, db: str, scale: float) -> Path:
    """Where a cached data set is described; it exists only once the data set is complete."""
    return data_dir / f"{'analytics' if db == 'sqlite' else 'postgres'}-{_tag(scale)}.json"


def _reusable(meta: Meta | None, scale: float, seed: int) -> bool:
    return meta is not None and meta.scale == scale and meta.seed == seed


def _finish(meta: Meta, scale: float, seconds: float, rows: int) -> Meta:
    print(f"  generated and written in {meta.generate_seconds:,.1f} s; rollups rebuilt in "
          f"{seconds:,.1f} s ({rows:,} rows)", flush=True)  # fmt: skip
    fields = asdict(meta) | {"scale": scale, "rebuild_seconds": round(seconds, 1)}
    return Meta(**fields | {"rollup_rows": rows})


async def prepare_sqlite(data_dir: Path, size: d.Size, scale: float, seed: int, *,
                         fresh: bool) -> Meta:  # fmt: skip
    """The cached SQLite file for this scale, made first if missing, stale or `fresh`."""
    path = (data_dir / f"analytics-{_tag(scale)}.db").resolve()
    meta_path = meta_file(data_dir, "sqlite", scale)
    meta = read_meta(meta_path)
    if not fresh and path.exists() and _reusable(meta, scale, seed):
        assert meta is not None
        return meta
    for stale in (path, *(Path(f"{path}-{end}") for end in ("wal", "shm", "epoch")), meta_path):
        stale.unlink(missing_ok=True)
    print(f"sqlite: generating {size.clicks:,} clicks into {path}", flush=True)
    sink = SqliteSink(path)
    try:
        meta, _ = await create(f"sqlite:///{path}", sink, size, seed)
    finally:
        sink.close()
    started = time.monotonic()
    rows = await asyncio.to_thread(rebuild_sqlite, path)
    meta = _finish(meta, scale, time.monotonic() - started, rows)
    write_meta(meta_path, meta)
    return meta


async def prepare_postgres(data_dir: Path, server: str, size: d.Size, scale: float, seed: int,
                           *, fresh: bool) -> Meta:  # fmt: skip
    """The cached database `clicktrail_bench[_s<scale>]` on `server`, made as for SQLite."""
    name = "clicktrail_bench" if scale == 1 else f"clicktrail_bench_{_tag(scale)}".replace(".", "_")
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    meta_path = meta_file(data_dir, "postgres", scale)
    meta = read_meta(meta_path)
    async with pg_connection(server, "postgres") as conn:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not fresh and exists and _reusable(meta, scale, seed):
            assert meta is not None
            return meta
        meta_path.unlink(missing_ok=True)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    print(f"postgres: generating {size.clicks:,} clicks into database {name}", flush=True)
    async with pg_connection(url) as conn:
        await conn.execute("SET synchronous_commit = off")
        meta, _ = await create(url, PostgresSink(conn), size, seed)
        await _timed("VACUUM ANALYZE", conn.execute("VACUUM ANALYZE"))
    started = time.monotonic()
    rows = await rebuild_async(url)
    meta = _finish(meta, scale, time.monotonic() - started, rows)
    async with pg_connection(url) as conn:
        await _timed("VACUUM ANALYZE rollups", conn.execute("VACUUM ANALYZE rollups"))
    write_meta(meta_path, meta)
    return meta


async def _timed(what: str, work: Any) -> None:
    started = time.monotonic()
    await work
    print(f"  {what}: {time.monotonic() - started:,.1f} s", flush=True)
