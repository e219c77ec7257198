"""Helpers for tests: tenants, a live server, direct database reads."""

from __future__ import annotations

import asyncio
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from clicktrail import admin, serving
from clicktrail.config import Settings
from clicktrail.storage import totals
from clicktrail.storage.urls import async_url

SALE_PARTS = ("sale_amount_high", "sale_amount_low")


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


PENDING_WORK = (
    "SELECT (SELECT count(*) FROM clicks WHERE NOT folded) + (SELECT count(*) FROM leads "
    "WHERE NOT folded) + (SELECT count(*) FROM sales WHERE NOT folded) + "
    "(SELECT count(*) FROM link_deletions) AS pending"
)


async def folded(settings: Settings, within: float = 5.0) -> None:
    """Wait until a running server's folder has folded every committed event and cleared every
    deleted link: counters, totals and rollups are then exact (docs/reliability.md)."""
    engine = create_async_engine(async_url(settings.database_url))
    deadline = time.monotonic() + within
    try:
        while True:
            async with engine.connect() as conn:
                pending = int((await conn.execute(text(PENDING_WORK))).scalar_one())
            if pending == 0:
                return
            assert time.monotonic() < deadline, f"{pending} events or deletions still unfolded"
            await asyncio.sleep(0.01)
    finally:
        await engine.dispose()


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[AsyncConnection]:
    """A transaction on the database beside the server, committed when the block ends."""
    engine = create_async_engine(async_url(settings.database_url))
    try:
        async with engine.begin() as conn:
            yield conn
    finally:
        await engine.dispose()


def with_sale_amount(row: dict[str, Any]) -> dict[str, Any]:
    """A row read with the two parts of a sale total (storage/totals.py), which are joined
    into `sale_amount`."""
    rest = {name: value for name, value in row.items() if name not in SALE_PARTS}
    return rest | {"sale_amount": totals.join(*(row[name] for name in SALE_PARTS))}


def fetch_sync(settings: Settings, sql: str, **params: Any) -> list[dict[str, Any]]:
    return asyncio.run(fetch(settings, sql, **params))


class LiveServer:
    """clicktrail under uvicorn in its own process, as users run it. (A thread of the test
    process would share CPython 3.11's non-thread-safe compiler state with pytest.)"""

    def __init__(self, settings: Settings, port: int) -> None:
        self.settings = settings
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    @classmethod
    @contextmanager
    def running(
        cls, settings: Settings, app: str = serving.APP, port: int | None = None, **popen: Any
    ) -> Iterator[LiveServer]:
        """Served as `clicktrail serve` serves: `app` is an app factory's import path; `port`
        is a free one unless given (to serve short links on it, say)."""
        port = port or free_port()
        start = f"from clicktrail import serving; serving.run('127.0.0.1', {port}, app={app!r})"
        proc = subprocess.Popen([sys.executable, "-c", start], env=server_env(settings), **popen)
        try:
            wait_until_up(f"http://127.0.0.1:{port}", proc)
            yield cls(settings, port)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise

    def tenant(self, slug: str, plan: str = "business") -> Tenant:
        return asyncio.run(make_tenant(self.settings, slug, plan))


def server_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a server process these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLICKTRAIL_")}
    values = settings.model_dump(mode="json", exclude_defaults=True)
    if settings.secret_key is not None:
        values["secret_key"] = settings.secret_key.get_secret_value()
    if settings.trusted_proxies:
        values["trusted_proxies"] = ",".join(str(n) for n in settings.trusted_proxies)
    values = {k: ",".join(v) if isinstance(v, list) else v for k, v in values.items()}
    return env | {f"CLICKTRAIL_{k.upper()}": str(v) for k, v in values.items() if v is not None}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            httpx.get(f"{url}/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the server did not come up")


@contextmanager
def serving_directory(directory: Path) -> Iterator[str]:
    """The URL at which a real HTTP server on 127.0.0.1 serves `directory`'s files."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
