"""The `clicktrail` command, run as a user runs it: a separate process on a real database."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail.config import Settings
from clicktrail.kit.clock import utcnow
from clicktrail.models import Click
from clicktrail.storage.urls import async_url
from tests.support import fetch_sync

CLI = str(Path(sys.executable).with_name("clicktrail"))


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLICKTRAIL_")}
    return env | {
        "CLICKTRAIL_DATABASE_URL": settings.database_url,
        "CLICKTRAIL_SECRET_KEY": "cli-test-secret",
    }


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args],
        check=False,
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_json(settings: Settings, *args: str) -> dict[str, Any]:
    done = run(settings, *args, "--json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_create_workspace_key_and_link(settings: Settings) -> None:
    ws = run_json(settings, "workspace", "create", "Acme Inc", "--plan", "business")
    assert ws["slug"] == "acme-inc"
    assert ws["plan"] == "business"
    assert re.fullmatch(r"ws_[0-9A-Z]{25,26}", ws["id"])
    key = run_json(settings, "key", "create", "--workspace", "acme-inc", "--name", "ci")
    assert re.fullmatch(r"dub_[0-9A-Za-z]{24}", key["key"])
    link = run_json(
        settings, "link", "create", "https://example.com", "--workspace", "acme-inc",
        "--key", "hello", "--track-conversion",
    )  # fmt: skip
    assert (link["key"], link["trackConversion"], link["workspaceId"]) == ("hello", True, ws["id"])


def test_errors_go_to_stderr_with_a_failing_exit(settings: Settings) -> None:
    done = run(settings, "key", "create", "--workspace", "nope")
    assert done.returncode == 1
    assert "Workspace 'nope' not found." in done.stderr
    assert run(settings, "workspace", "create", "X", "--plan", "gold").returncode == 1


def test_migrate_is_idempotent(settings: Settings) -> None:
    assert run(settings, "migrate").returncode == 0
    assert run(settings, "migrate").returncode == 0


@contextmanager
def serving(settings: Settings, *args: str) -> Iterator[tuple[str, str]]:
    """`clicktrail serve` as its own process; yields its URL and what it printed at start."""
    port = free_port()
    proc = subprocess.Popen(
        [CLI, "serve", "--port", str(port), *args],
        env=cli_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    printed = ""
    try:
        deadline = time.monotonic() + 30
        while "clicktrail on" not in printed and time.monotonic() < deadline:
            printed += proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url)
        yield url, printed
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[str, str]]:
    with serving(settings) as found:
        yield found


def _wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            httpx.get(f"{url}/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not come up")


def test_serve_bootstraps_a_demo_workspace(served: tuple[str, str]) -> None:
    url, printed = served
    assert "Created workspace 'demo' (plan business)" in printed
    match = re.search(r"\b(dub_[0-9A-Za-z]{24})\b", printed)
    assert match is not None
    headers = {"Authorization": f"Bearer {match.group(1)}"}
    created = httpx.post(f"{url}/links", json={"url": "https://example.com"}, headers=headers)
    assert created.status_code == 200
    assert created.json()["domain"] == f"localhost:{url.rsplit(':', 1)[1]}"
    visit = httpx.get(f"{url}/{created.json()['key']}", headers={"User-Agent": "Mozilla/5.0"})
    assert visit.status_code == 302


def _bootstrap_key(printed: str) -> dict[str, str]:
    match = re.search(r"\b(dub_[0-9A-Za-z]{24})\b", printed)
    assert match is not None
    return {"Authorization": f"Bearer {match.group(1)}"}


def _destinations(url: str, key: str, visits: int) -> set[str]:
    found = set()
    for n in range(visits):
        # a new connection each time, so that both workers take some of them
        response = httpx.get(f"{url}/{key}", headers={"User-Agent": f"Mozilla/5.0 v{n}"})
        found.add(response.headers["location"].split("?")[0])
    return found


def test_a_change_reaches_every_worker(settings: Settings) -> None:
    with serving(settings, "--workers", "2") as (url, printed):
        auth = _bootstrap_key(printed)
        body = {"url": "https://old.example/", "key": "moving"}
        link = httpx.post(f"{url}/links", json=body, headers=auth).json()
        assert _destinations(url, "moving", 30) == {"https://old.example/"}  # both caches warm
        patch = {"url": "https://new.example/"}
        assert httpx.patch(f"{url}/links/{link['id']}", json=patch, headers=auth).is_success
        assert _destinations(url, "moving", 30) == {"https://new.example/"}
        assert httpx.delete(f"{url}/links/{link['id']}", headers=auth).is_success
        gone = {httpx.get(f"{url}/moving").status_code for _ in range(20)}
        assert gone == {404}


def test_analytics_rebuild_counts_events_written_behind_the_servers_back(
    settings: Settings,
) -> None:
    ws = run_json(settings, "workspace", "create", "Acme", "--plan", "business")
    link = run_json(settings, "link", "create", "https://example.com", "--workspace", "acme")
    asyncio.run(_import_click(settings, ws["id"], link["id"]))
    daily = "SELECT clicks FROM rollups WHERE link_id = :id AND grain = 'd'"
    assert fetch_sync(settings, daily, id=link["id"]) == []

    done = run_json(settings, "analytics", "rebuild", "--workspace", "acme")

    assert done["rows"] > 0
    assert fetch_sync(settings, daily, id=link["id"]) == [{"clicks": 1}]
    missing = run(settings, "analytics", "rebuild", "--workspace", "nobody")
    assert missing.returncode == 1
    assert "Workspace not found: nobody" in missing.stderr


async def _import_click(settings: Settings, workspace_id: str, link_id: str) -> None:
    """A click inserted directly, as an import from another system would."""
    engine = create_async_engine(async_url(settings.database_url))
    fields = dict.fromkeys(
        ("domain", "key", "url", "identity_hash", "ip", "continent", "country", "region",
         "city", "device", "device_vendor", "device_model", "browser", "browser_version", "os",
         "os_version", "ua", "referer", "referer_url", "trigger"),
        "x",
    )  # fmt: skip
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(Click).values(
                    id="imported00000001", workspace_id=workspace_id, link_id=link_id,
                    timestamp=utcnow(), qr=False, **fields,
                )
            )  # fmt: skip
    finally:
        await engine.dispose()
