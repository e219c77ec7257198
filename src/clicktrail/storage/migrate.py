"""Alembic, driven from code so that an installed clicktrail can migrate itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail.storage.urls import async_url

SCRIPTS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`. Safe to run from several processes at once on
    PostgreSQL (an advisory lock serialises them) and on SQLite (the write lock does)."""
    engine = create_async_engine(async_url(database_url))
    try:
        if engine.dialect.name == "sqlite":
            # Before any server connection opens it: switching a file to WAL needs it alone.
            async with engine.connect() as conn:
                await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(72500112)")
            await conn.run_sync(_run, "upgrade", revision)
    finally:
        await engine.dispose()


def _run(connection: Connection, action: str, revision: str) -> Any:
    config = alembic_config(connection)
    if action == "upgrade":
        return command.upgrade(config, revision)
    return command.downgrade(config, revision)
