"""A small client for the track API, and ways to get real click ids."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from clicktrail.app import create_app
from clicktrail.config import Settings
from tests.support import Tenant, fetch, folded, with_sale_amount

Json = dict[str, Any]
_visitors = itertools.count(1)


@dataclass
class Tracker:
    client: httpx.AsyncClient
    tenant: Tenant
    settings: Settings

    async def link(self, **body: object) -> Json:
        payload = {"url": "https://example.com/pricing", "trackConversion": True, **body}
        response = await self.client.post("/links", json=payload, headers=self.tenant.auth)
        assert response.status_code == 200, response.text
        link: Json = response.json()
        return link

    async def click(self, link: Json) -> str:
        """A visit by a new visitor; returns the click id the redirect carried."""
        agent = f"Mozilla/5.0 (Macintosh) Safari/605.1.15 visitor/{next(_visitors)}"
        response = await self.client.get(f"/{link['key']}", headers={"User-Agent": agent})
        assert response.status_code == 302, response.text
        return parse_qs(urlsplit(response.headers["location"]).query)["dub_id"][0]

    async def post(self, path: str, body: object, tenant: Tenant | None = None) -> httpx.Response:
        return await self.client.post(path, json=body, headers=(tenant or self.tenant).auth)

    async def lead(self, **body: object) -> Json:
        response = await self.post("/track/lead", body)
        assert response.status_code == 200, response.text
        answer: Json = response.json()
        return answer

    async def sale(self, **body: object) -> Json:
        response = await self.post("/track/sale", body)
        assert response.status_code == 200, response.text
        answer: Json = response.json()
        return answer

    async def rows(self, sql: str, **params: Any) -> list[Json]:
        """The database as it is once every acknowledged event is folded."""
        await folded(self.settings)
        return await fetch(self.settings, sql, **params)

    async def counters(self, link: Json) -> Json:
        rows = await self.rows(
            "SELECT clicks, leads, sales, sale_amount_high, sale_amount_low, conversions "
            "FROM links WHERE id = :id",
            id=link["id"],
        )
        return with_sale_amount(rows[0])


def assert_error(response: httpx.Response, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"] == message


@asynccontextmanager
async def serving(settings: Settings, tenant: Tenant) -> AsyncIterator[Tracker]:
    """A tracker on an app started now, for tests that change the database between apps."""
    root = create_app(settings)
    async with root.api.router.lifespan_context(root.api):
        transport = httpx.ASGITransport(app=root, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
            yield Tracker(c, tenant, settings)
