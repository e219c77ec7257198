"""Outages: a real clicktrail server process whose PostgreSQL or Redis sits behind a proxy the
test breaks. These tests use PostgreSQL on 127.0.0.1:5432 in every run of the suite (in their
own databases), and Redis on 127.0.0.1:6379; they skip only when those are not there."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from clicktrail.storage.migrate import upgrade
from tests.conftest import drop_later
from tests.outages.proxy import Proxy
from tests.support import pg_admin

_TEST_URL = os.environ.get("CLICKTRAIL_TEST_DATABASE_URL", "")
PG_ADMIN = (
    _TEST_URL
    if _TEST_URL.startswith("postgres")
    else "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_PORT = make_url(PG_ADMIN).port or 5432
REDIS_PORT = 6379


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database that each test's database is cloned from."""
    if not _listening(PG_PORT):
        pytest.skip(f"no PostgreSQL on 127.0.0.1:{PG_PORT}")
    name = f"ct_outage_tpl_{uuid.uuid4().hex[:10]}"
    asyncio.run(pg_admin(PG_ADMIN, f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(upgrade(_pg_url(name)))
        yield name
    finally:
        asyncio.run(pg_admin(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database of this test's own, reached directly."""
    name = f"ct_outage_{uuid.uuid4().hex[:12]}"
    asyncio.run(pg_admin(PG_ADMIN, f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield _pg_url(name)
    drop_later(PG_ADMIN, name)


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outage-template") / "template.db"
    asyncio.run(upgrade(f"sqlite:///{path}"))
    return path


@pytest.fixture
async def pg_proxy() -> AsyncIterator[Proxy]:
    async with Proxy.running(PG_PORT) as proxy:
        yield proxy


@pytest.fixture
async def redis_proxy() -> AsyncIterator[Proxy]:
    if not _listening(REDIS_PORT):
        pytest.skip(f"no Redis on 127.0.0.1:{REDIS_PORT}")
    async with Proxy.running(REDIS_PORT) as proxy:
        yield proxy
