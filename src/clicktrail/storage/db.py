"""The database: one writer and many readers on SQLite, pooled asyncpg connections on PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from clicktrail.config import Settings
from clicktrail.kit import jsontext
from clicktrail.storage.inline import InlineConnection, begin_immediate, inline_creator
from clicktrail.storage.limits import install_deadline
from clicktrail.storage.urls import async_url, sqlite_path

MIN_SQLITE = (3, 35, 0)  # RETURNING
CONNECT_PAUSE = 1.0  # seconds after a failed connection attempt during which no other is made
INLINE_BUSY_MS = 50  # the inline writer waits for locks asynchronously (begin_immediate)


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
        return _postgresql_engine(url, timeout)
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": timeout},
        "hide_parameters": True,
        "json_serializer": jsontext.for_columns,  # nothing non-standard is ever stored
        "pool_timeout": timeout,  # waiting for the one writer is waiting for the write lock
    }
    if writer:
        path = sqlite_path(url)
        kwargs |= {"pool_size": 1, "max_overflow": 0}
        if path is not None:  # a file: its writer runs inline (storage/inline.py)
            kwargs["async_creator"] = inline_creator(str(path))
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
        if isinstance(dbapi_connection.driver_connection, InlineConnection):
            cursor.execute(f"PRAGMA busy_timeout={INLINE_BUSY_MS}")  # the loop must not wait
        if not writer:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()
        if not writer:
            install_deadline(dbapi_connection, _record)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        driver = connection.connection.driver_connection
        if isinstance(driver, InlineConnection):
            begin_immediate(driver._conn, timeout)
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def _postgresql_engine(url: URL, timeout: float) -> AsyncEngine:
    """Every wait is bounded by `timeout`: for a pooled connection, to connect, for each
    statement's answer; so that, with the database away, a request fails instead of hanging."""
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=timeout,
        pool_pre_ping=True,  # a connection broken while idle is replaced, not handed out
        hide_parameters=True,  # error logs must not carry customers' emails and names
        json_serializer=jsontext.for_columns,  # nothing non-standard is ever stored
        connect_args={"command_timeout": timeout, "timeout": timeout},
    )
    _drop_connections_on_network_errors(engine)
    _fail_fast_after_a_failed_connect(engine)
    return engine


def _fail_fast_after_a_failed_connect(engine: AsyncEngine) -> None:
    """For a moment after a connection attempt failed, new attempts fail at once: during an
    outage, a burst of requests must not queue for the pool, each then waiting out a connect."""
    closed_until = 0.0

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        nonlocal closed_until
        if time.monotonic() < closed_until:
            raise ConnectionRefusedError("the database refused or ignored a connection just now")
        try:
            return dialect.connect(*cargs, **cparams)
        except OSError:  # refused, unreachable, or no answer in time
            closed_until = time.monotonic() + CONNECT_PAUSE
            raise


def _drop_connections_on_network_errors(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        # A driver timeout or a socket error leaves the connection mid-exchange. Treated as any
        # other error, it would be sent a ROLLBACK and waited on for another whole timeout;
        # as a disconnect it is dropped, and replaced once the database answers again. A
        # broken socket condemns the whole pool; one slow answer only its own connection.
        error = context.original_exception
        if isinstance(error, OSError):
            context.is_disconnect = True
            context.invalidate_pool_on_disconnect = not isinstance(error, TimeoutError)


_AWAY: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable; TimeoutError (a driver's timeout) is one too
    PoolTimeout,  # no pooled connection came free in time
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.InsufficientResourcesError,  # class 53: too many connections, disk full
    asyncpg.OperatorInterventionError,  # class 57: shutting down, starting up
)
# Primary result codes; the error's name may carry an extended one (`SQLITE_IOERR_WRITE`).
_SQLITE_AWAY = frozenset(
    {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN"}
)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database is away or too busy for now, so that the same request
    may succeed later, rather than that the request or the code is at fault."""
    return any(_away(link) for link in _causes(error))


def _away(error: BaseException) -> bool:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sqlite3.Error):
        return "_".join(error.sqlite_errorname.split("_")[:2]) in _SQLITE_AWAY
    return isinstance(error, _AWAY)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver's error it wraps, and what that was raised from."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or getattr(current, "orig", None)


SessionFactory = async_sessionmaker[AsyncSession]
