"""Migrations run on SQLite and PostgreSQL, and agree with the models."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail.models import Base
from clicktrail.storage.migrate import upgrade
from clicktrail.storage.urls import async_url
from tests.support import pg_admin

PG_URL = os.environ.get("CLICKTRAIL_TEST_DATABASE_URL")


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def migrate_and_compare(url: str) -> list[Any]:
    await upgrade(url)
    await upgrade(url)  # a second run is a no-op
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff)
    finally:
        await engine.dispose()


def test_sqlite_migrations_match_models(tmp_path: Path) -> None:
    assert asyncio.run(migrate_and_compare(f"sqlite:///{tmp_path / 'm.db'}")) == []


def test_postgresql_migrations_match_models() -> None:
    if not PG_URL:
        pytest.skip("set CLICKTRAIL_TEST_DATABASE_URL to run against PostgreSQL")
    name = f"ct_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(pg_admin(PG_URL, f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        assert asyncio.run(migrate_and_compare(url)) == []
    finally:
        asyncio.run(pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
