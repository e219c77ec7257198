"""Helpers for tests: tenants, a live server, direct database reads."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import uvicorn
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail import admin
from clicktrail.app import create_app
from clicktrail.config import Settings
from clicktrail.storage.urls import async_url


@dataclass(frozen=True)
class Tenant:
    workspace_id: str
    slug: str
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


async def make_tenant(settings: Settings, slug: str, plan: str = "business") -> Tenant:
    async def action(ctx: admin.Context) -> Tenant:
        ws = await admin.create_workspace(ctx, slug.title(), slug, plan)
        key = await admin.create_key(ctx, slug, "test")
        return Tenant(workspace_id=ws["id"], slug=slug, key=key["key"])

    return await admin.run(settings, action)


async def pg_admin(url: str, statement: str) -> None:
    parsed = make_url(url)
    conn = await asyncpg.connect(
        user=parsed.username,
        password=parsed.password,
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        database=parsed.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def fetch(settings: Settings, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Read the database directly, beside the server, as an operator would."""
    engine = create_async_engine(async_url(settings.database_url))
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(sql), params)
            return [dict(row._mapping) for row in result]
    finally:
        await engine.dispose()


def fetch_sync(settings: Settings, sql: str, **params: Any) -> list[dict[str, Any]]:
    return asyncio.run(fetch(settings, sql, **params))


class LiveServer:
    def __init__(self, settings: Settings, server: uvicorn.Server, port: int) -> None:
        self.settings = settings
        self.server = server
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    @classmethod
    @contextmanager
    def running(cls, settings: Settings) -> Iterator[LiveServer]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        try:
            yield cls(settings, server, port)
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            sock.close()

    def tenant(self, slug: str, plan: str = "business") -> Tenant:
        return asyncio.run(make_tenant(self.settings, slug, plan))
