"""The database: one writer and many readers on SQLite, pooled asyncpg connections on PostgreSQL."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from clicktrail.config import Settings
from clicktrail.storage.limits import install_deadline
from clicktrail.storage.urls import async_url, sqlite_path

MIN_SQLITE = (3, 35, 0)  # RETURNING


class Database:
    """Write and read engines. On SQLite the writer is a single connection that takes the write
    lock up front (`BEGIN IMMEDIATE`), so transactions queue instead of failing on upgrade."""

    def __init__(self, settings: Settings) -> None:
        self.url = async_url(settings.database_url)
        self.is_sqlite = self.url.drivername.startswith("sqlite")
        if self.is_sqlite:
            _check_sqlite_version()
        self.writer = _engine(self.url, settings.database_timeout, writer=True)
        self.reader = (
            _engine(self.url, settings.database_timeout, writer=False)
            if self.is_sqlite
            else self.writer
        )
        self.write_session = async_sessionmaker(self.writer, expire_on_commit=False)
        self.read_session = async_sessionmaker(self.reader, expire_on_commit=False)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


def _check_sqlite_version() -> None:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} is too old; 3.35 or newer is needed")


def _engine(url: URL, timeout: float, *, writer: bool) -> AsyncEngine:
    if sqlite_path(url) is None and not url.drivername.startswith("sqlite"):
        return create_async_engine(
            url,
            pool_size=10,
            max_overflow=10,
            pool_pre_ping=True,
            hide_parameters=True,  # error logs must not carry customers' emails and names
            connect_args={"command_timeout": timeout, "timeout": timeout},
        )
    kwargs: dict[str, Any] = {"connect_args": {"timeout": timeout}, "hide_parameters": True}
    if writer:
        kwargs |= {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
    engine = create_async_engine(url, **kwargs)
    _sqlite_pragmas(engine, timeout, writer=writer)
    return engine


def _sqlite_pragmas(engine: AsyncEngine, timeout: float, *, writer: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        # Set once per file: setting it again takes a lock that SQLite does not wait for,
        # so opening a connection beside a busy one would fail with "database is locked".
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed transaction survives a power loss, which a 2xx promises (DESIGN.md).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if not writer:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()
        if not writer:
            install_deadline(dbapi_connection, _record)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


SessionFactory = async_sessionmaker[AsyncSession]
