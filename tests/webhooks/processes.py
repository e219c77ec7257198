"""clicktrail's own processes, for the tests of delivery across crashes: the server (under
uvicorn, as LiveServer runs it) and `clicktrail worker`. They are started, awaited and killed
without blocking the test's event loop, where the receiver answers them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from clicktrail.config import Settings
from tests.support import fetch, free_port, server_env

CLI = str(Path(sys.executable).with_name("clicktrail"))


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    url: str = ""

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing finished or flushed."""
        self.popen.kill()
        self.popen.wait(timeout=10)


@asynccontextmanager
async def server(settings: Settings) -> AsyncIterator[Process]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "clicktrail.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    async with _running(command, settings) as process:
        process.url = f"http://127.0.0.1:{port}"
        await _until_up(process)
        yield process


@asynccontextmanager
async def worker(settings: Settings) -> AsyncIterator[Process]:
    async with _running([CLI, "worker"], settings) as process:
        yield process


@asynccontextmanager
async def _running(command: list[str], settings: Settings) -> AsyncIterator[Process]:
    # Popen returns at once; asyncio's subprocesses would watch the child from a thread.
    popen = subprocess.Popen(command, env=server_env(settings))  # noqa: ASYNC220
    try:
        yield Process(popen)
    finally:
        if popen.poll() is None:
            popen.terminate()
            await _ended(popen)


async def _until_up(process: Process) -> None:
    async with httpx.AsyncClient() as client, asyncio.timeout(30):
        while True:
            if process.popen.poll() is not None:
                raise RuntimeError(f"the server exited with {process.popen.returncode}")
            try:
                await client.get(f"{process.url}/health", timeout=1)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)


async def _ended(popen: subprocess.Popen[bytes]) -> None:
    try:
        async with asyncio.timeout(20):
            while popen.poll() is None:  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.05)
    except TimeoutError:
        popen.kill()
        raise


async def rows_when(
    settings: Settings, sql: str, count: int = 1, within: float = 15.0
) -> list[dict[str, Any]]:
    """The rows of `sql`, once there are at least `count` of them."""
    async with asyncio.timeout(within):
        while len(found := await fetch(settings, sql)) < count:  # noqa: ASYNC110 - another process
            await asyncio.sleep(0.05)
    return found
