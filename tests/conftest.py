"""Fixtures: a fresh, migrated database per test (SQLite file, or PostgreSQL when
CLICKTRAIL_TEST_DATABASE_URL is set), the app in-process, and a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from clicktrail.app import Root, create_app
from clicktrail.config import Settings
from clicktrail.storage.migrate import upgrade
from tests.support import LiveServer, Tenant, make_tenant, pg_admin

PG_URL = os.environ.get("CLICKTRAIL_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("CLICKTRAIL_TEST_REDIS_URL")
BROWSER_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)


def pytest_report_header() -> list[str]:
    return [
        f"clicktrail database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite files'}",
        f"clicktrail redis: {REDIS_URL or 'none (in-process)'}",
    ]


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrated once per run; each test gets a copy."""
    if PG_URL:
        name = f"ct_tpl_{uuid.uuid4().hex[:10]}"
        asyncio.run(pg_admin(PG_URL, f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        asyncio.run(upgrade(url))
        yield name
        asyncio.run(pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(upgrade(f"sqlite:///{path}"))
    yield str(path)


# How many finished PostgreSQL databases wait to be dropped together. Each DROP DATABASE waits
# for a checkpoint (about 0.8 s here, after a test wrote to it); databases dropped at the same
# time share one, so a batch of 16 takes about 0.3 s instead of 13 s.
DROP_BATCH = 16
_finished: list[tuple[str, str]] = []


def drop_later(admin_url: str, name: str) -> None:
    """Drops the database `name` with the next batch; the last batch goes at the end of the run."""
    _finished.append((admin_url, name))
    if len(_finished) >= DROP_BATCH:
        drop_finished()


def drop_finished() -> None:
    batch = list(_finished)
    _finished.clear()
    if batch:
        asyncio.run(_drop_all(batch))


async def _drop_all(batch: list[tuple[str, str]]) -> None:
    statement = 'DROP DATABASE IF EXISTS "{}" WITH (FORCE)'
    results = await asyncio.gather(
        *(pg_admin(url, statement.format(name)) for url, name in batch), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result


def pytest_sessionfinish() -> None:
    drop_finished()


@contextmanager
def database_copy(template: str, directory: Path) -> Iterator[str]:
    """The URL of a fresh copy of the migrated template, dropped afterwards."""
    if PG_URL:
        name = f"ct_{uuid.uuid4().hex[:12]}"
        asyncio.run(pg_admin(PG_URL, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        drop_later(PG_URL, name)
        return
    path = directory / "clicktrail.db"
    shutil.copyfile(template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    with database_copy(template_database, tmp_path) as url:
        yield url


@pytest.fixture(scope="module")
def module_database_url(
    template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database for a whole module, for tests that only read what a module fixture wrote."""
    with database_copy(template_database, tmp_path_factory.mktemp("module")) as url:
        yield url


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """The settings of every test's app and server, with `overrides`."""
    return Settings(
        database_url=database_url,
        redis_url=REDIS_URL,
        secret_key="test-secret-key",
        short_domain="localhost:8000",
        environment="testing",
        **overrides,
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Root]:
    root = create_app(settings)
    async with root.api.router.lifespan_context(root.api):
        yield root


@pytest.fixture
async def client(app: Root) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        yield c


@pytest.fixture
async def tenant(app: Root) -> Tenant:
    """A business-plan workspace with an API key."""
    return await make_tenant(app.api.state.runtime.settings, "acme", plan="business")


@pytest.fixture
async def other_tenant(app: Root) -> Tenant:
    return await make_tenant(app.api.state.runtime.settings, "globex", plan="business")


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """A real uvicorn server on 127.0.0.1, in a thread of this process."""
    with LiveServer.running(settings) as server:
        yield server
