"""API keys and webhook secrets leave the server once: a key when it is created (by the CLI), a
`whsec_…` secret in the answer that creates its webhook. After that they are in no answer, no
request to a receiver and no log line, at DEBUG on every logger, while a client does what
clients do: manage webhooks, send traffic whose deliveries fail, use wrong and expired keys,
and meet a server error. In process (caplog), and in a uvicorn process (its stderr)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail import admin
from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.kit.clock import utcnow
from clicktrail.storage.urls import async_url
from tests.conftest import BROWSER_UA
from tests.support import Tenant, free_port, make_tenant, server_env, wait_until_up
from tests.webhooks.receiver import Answer, Receiver

# Any secret, also one the test never saw (a webhook whose creation failed, say).
LOOKS_SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{12,}|\bdub_[0-9A-Za-z]{24}\b")


def forms(secret: str) -> set[str]:
    """The secret, its random part, and each half of that: as written, and URL-encoded."""
    body = secret.split("_", 1)[1]
    half = len(body) // 2
    plain = {secret, body, body[:half], body[half:]}
    return plain | {quote(part, safe="") for part in plain}


def exposed(text: str, secrets: set[str]) -> set[str]:
    found = {form for secret in secrets for form in forms(secret) if form in text}
    return found | set(LOOKS_SECRET.findall(text))


@dataclass
class Seen:
    """A client's view: every answer it got, and which answer gave it each secret."""

    client: httpx.AsyncClient
    tenant: Tenant
    answers: list[httpx.Response] = field(default_factory=list)
    shown_in: dict[str, int] = field(default_factory=dict)  # secret -> its creating answer

    async def ask(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.tenant.auth, **kwargs.pop("headers", {})}
        response = await self.client.request(method, path, headers=headers, **kwargs)
        self.answers.append(response)
        return response

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.ask(method, path, **kwargs)
        assert response.status_code in {200, 201}, response.text
        return response.json()

    def leaks(self, secrets: set[str]) -> list[tuple[int, set[str]]]:
        found = []
        for index, answer in enumerate(self.answers):
            text = answer.text + str(sorted(answer.headers.items()))
            allowed = {s for s, shown in self.shown_in.items() if shown == index}
            if leaked := exposed(text, secrets - allowed) - _parts(allowed):
                found.append((index, leaked))
        return found


def _parts(secrets: set[str]) -> set[str]:
    return {form for secret in secrets for form in forms(secret)}


# --- what the client does ------------------------------------------------------------------


async def scenario(seen: Seen, settings: Settings, receiver: Receiver) -> set[str]:
    """Returns every secret the client was given."""
    hooks = [
        await _webhook(seen, receiver.url),
        await _webhook(seen, f"http://127.0.0.1:{free_port()}/"),
    ]
    await _traffic(seen)
    await _manage(seen, hooks[0]["id"])
    keys = await _wrong_keys(seen, settings)
    await _server_error(seen, settings, hooks[0]["id"])
    await _failed_deliveries(seen, hooks, receiver)
    return {seen.tenant.key, *keys, *(hook["secret"] for hook in hooks)}


async def _webhook(seen: Seen, url: str) -> Any:
    triggers = ["link.created", "link.clicked", "lead.created", "sale.created"]
    created = await seen.ok(
        "POST", "/webhooks", json={"name": "crm", "url": url, "triggers": triggers}
    )
    assert created["secret"].startswith("whsec_")
    seen.shown_in[created["secret"]] = len(seen.answers) - 1
    return created


async def _traffic(seen: Seen) -> None:
    link = await seen.ok(
        "POST", "/links", json={"url": "https://example.com/", "trackConversion": True}
    )
    visit = await seen.client.get(
        f"/{link['key']}", headers={"Host": link["domain"], "User-Agent": BROWSER_UA}
    )
    click_id = visit.headers["location"].split("dub_id=")[1]
    lead = {"clickId": click_id, "eventName": "Sign up", "customerExternalId": "u1"}
    await seen.ok("POST", "/track/lead", json=lead)
    await seen.ok("POST", "/track/sale", json={"customerExternalId": "u1", "amount": 4900})


async def _manage(seen: Seen, webhook_id: str) -> None:
    await seen.ok("GET", "/webhooks")
    await seen.ok("GET", f"/webhooks/{webhook_id}")
    await seen.ok("PATCH", f"/webhooks/{webhook_id}", json={"name": "crm (renamed)"})
    await seen.ok("PATCH", f"/webhooks/{webhook_id}", json={"disabled": True})
    await seen.ok("PATCH", f"/webhooks/{webhook_id}", json={"disabled": False})
    await seen.ask("PATCH", f"/webhooks/{webhook_id}", json={"url": "not a url"})
    await seen.ask("POST", "/webhooks", json={"name": "bad", "url": "ftp://x", "triggers": []})


async def _wrong_keys(seen: Seen, settings: Settings) -> set[str]:
    """A key one character off, a key without `Bearer `, and an expired key."""
    key = seen.tenant.key
    off = key[:-1] + ("A" if key[-1] != "A" else "B")
    past = utcnow() - timedelta(minutes=1)
    expired = await admin.run(
        settings, lambda ctx: admin.create_key(ctx, seen.tenant.slug, "old", expires_at=past)
    )
    for header in (f"Bearer {off}", key, f"Bearer {expired['key']}", f"Bearer  {key}x"):
        response = await seen.ask("GET", "/links", headers={"Authorization": header})
        assert response.status_code in {400, 401}, response.text
    return {off, expired["key"]}


async def _server_error(seen: Seen, settings: Settings, webhook_id: str) -> None:
    """The webhooks table goes away for a moment: writes of a new secret and reads of the
    stored ones fail with database errors, in requests and in the dispatcher."""
    body = {"name": "crm", "url": "https://example.com/hook", "triggers": ["sale.created"]}
    failing: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/webhooks", {"json": body}),
        ("GET", "/webhooks", {}),
        ("PATCH", f"/webhooks/{webhook_id}", {"json": {"name": "x"}}),
    ]
    await _execute(settings, "ALTER TABLE webhooks RENAME TO webhooks_away")
    try:
        for method, path, extra in failing:
            response = await seen.ask(method, path, **extra)
            assert response.status_code >= 500, response.text
        await asyncio.sleep(0.5)  # the dispatcher's polls fail too
    finally:
        await _execute(settings, "ALTER TABLE webhooks_away RENAME TO webhooks")


async def _execute(settings: Settings, statement: str) -> None:
    engine = create_async_engine(async_url(settings.database_url))
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _failed_deliveries(seen: Seen, hooks: list[Any], receiver: Receiver) -> None:
    """Every delivery fails (500, or nobody listening) until each webhook has two attempts;
    then one is sent again by hand. An attempt whose record failed while the table was away
    is due again only when its lease runs out (the receiver's timeout + 30 s), hence 60 s."""
    async with asyncio.timeout(60):
        while True:
            logs = [await seen.ok("GET", f"/webhooks/{hook['id']}/deliveries") for hook in hooks]
            if all(len(log) >= 2 for log in logs):
                break
            await asyncio.sleep(0.1)
    assert receiver.requests
    await seen.ok("POST", f"/webhooks/{hooks[0]['id']}/deliveries/{logs[0][0]['deliveryId']}/retry")


# --- in process, and in a server process -----------------------------------------------------


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, set before the app starts (SQLAlchemy sets its own to WARNING)."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET:
            caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
async def app(logs: pytest.LogCaptureFixture, app: Root) -> Root:
    return app


@pytest.fixture
def failing(receiver: Receiver) -> Receiver:
    receiver.usual = Answer(status=500, body=b"upstream unavailable")
    return receiver


def assert_kept(seen: Seen, secrets: set[str], receiver: Receiver, logged: str) -> None:
    assert seen.leaks(secrets) == []
    assert [exposed(repr(request), secrets) for request in receiver.requests] == [
        set() for _ in receiver.requests
    ]
    assert exposed(logged, secrets) == set()


async def test_in_process(
    app: Root, client: httpx.AsyncClient, failing: Receiver, logs: pytest.LogCaptureFixture
) -> None:
    settings = app.api.state.runtime.settings
    seen = Seen(client, await make_tenant(settings, "acme"))
    secrets = await scenario(seen, settings, failing)
    assert {"sqlalchemy.engine.Engine", "clicktrail"} <= {r.name for r in logs.records}
    assert_kept(seen, secrets, failing, logs.text)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "DEBUG", "handlers": ["stderr"]},
    "loggers": {name: {"level": "DEBUG"} for name in ("sqlalchemy", "uvicorn", "uvicorn.access")},
}


def _spawn(settings: Settings, port: int, logged: Path) -> subprocess.Popen[bytes]:
    config = logged.with_name("logging.json")
    config.write_text(json.dumps(LOGGING))
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "clicktrail.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-config", str(config),
    ]  # fmt: skip
    with logged.open("wb") as output:
        return subprocess.Popen(command, env=server_env(settings), stdout=output, stderr=output)


@asynccontextmanager
async def debug_server(settings: Settings, logged: Path) -> AsyncIterator[str]:
    """uvicorn with every logger at DEBUG on its stderr, which goes to `logged`."""
    port = free_port()
    process = _spawn(settings, port, logged)
    try:
        await asyncio.to_thread(wait_until_up, f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 20)


async def test_in_a_server_process(settings: Settings, failing: Receiver, tmp_path: Path) -> None:
    logged = tmp_path / "server.log"
    async with (
        debug_server(settings, logged) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        seen = Seen(client, await make_tenant(settings, "acme"))
        secrets = await scenario(seen, settings, failing)
    text = logged.read_text()
    assert "DEBUG sqlalchemy.engine.Engine" in text
    assert re.search(r"(ERROR|WARNING) clicktrail .* on POST /webhooks", text)  # the failure
    assert_kept(seen, secrets, failing, text)
