"""A small client for the webhooks API, and ways to wait on what the dispatcher does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support import Tenant

Json = dict[str, Any]
TRIGGERS = (
    "link.created", "link.updated", "link.deleted", "link.clicked", "lead.created",
    "sale.created",
)  # fmt: skip


@dataclass
class Hooks:
    client: httpx.AsyncClient
    tenant: Tenant

    async def create(self, url: str, *triggers: str, name: str = "receiver") -> Json:
        body = {"name": name, "url": url, "triggers": list(triggers or TRIGGERS)}
        response = await self.client.post("/webhooks", json=body, headers=self.tenant.auth)
        assert response.status_code == 201, response.text
        created: Json = response.json()
        return created

    async def get(self, webhook_id: str) -> Json:
        response = await self.client.get(f"/webhooks/{webhook_id}", headers=self.tenant.auth)
        assert response.status_code == 200, response.text
        found: Json = response.json()
        return found

    async def patch(self, webhook_id: str, **body: object) -> Json:
        response = await self.client.patch(
            f"/webhooks/{webhook_id}", json=body, headers=self.tenant.auth
        )
        assert response.status_code == 200, response.text
        changed: Json = response.json()
        return changed

    async def attempts(self, webhook_id: str) -> list[Json]:
        """The attempt log, oldest first."""
        response = await self.client.get(
            f"/webhooks/{webhook_id}/deliveries", headers=self.tenant.auth
        )
        assert response.status_code == 200, response.text
        return list(reversed(response.json()))

    async def attempts_until(
        self, webhook_id: str, done: Callable[[list[Json]], bool], within: float = 15.0
    ) -> list[Json]:
        """The attempt log once `done` holds for it (the attempt is logged after its answer)."""
        async with asyncio.timeout(within):
            # the dispatcher's state, seen through the API: polled, as a client would
            while not done(found := await self.attempts(webhook_id)):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        return found
