"""A small client for the links API, as one workspace's API key sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from clicktrail.config import Settings
from clicktrail.storage.urls import async_url
from tests.support import Tenant

Json = dict[str, Any]
Param = str | int | bool
URL = "https://example.com/landing"
NOT_FOUND = "Link not found."
DUPLICATE_KEY = "Duplicate key: This short link already exists."
DOCS = "https://dub.co/docs/api-reference/errors#"


@dataclass(frozen=True)
class LinksApi:
    client: httpx.AsyncClient
    tenant: Tenant

    async def post(self, **body: object) -> httpx.Response:
        return await self.client.post("/links", json=body, headers=self.tenant.auth)

    async def create(self, **body: object) -> Json:
        response = await self.post(**{"url": URL, **body})
        assert response.status_code == 200, response.text
        return ok(response)

    async def info(self, **params: Param) -> httpx.Response:
        return await self.client.get("/links/info", params=params, headers=self.tenant.auth)

    async def fetch(self, link_id: str) -> Json:
        return ok(await self.info(linkId=link_id))

    async def list_links(self, **params: Param) -> list[Json]:
        response = await self.client.get("/links", params=params, headers=self.tenant.auth)
        assert response.status_code == 200, response.text
        found: list[Json] = response.json()
        return found

    async def keys(self, **params: Param) -> list[str]:
        return [link["key"] for link in await self.list_links(**params)]

    async def count(self, **params: Param) -> int:
        response = await self.client.get("/links/count", params=params, headers=self.tenant.auth)
        assert response.status_code == 200, response.text
        counted: int = response.json()
        return counted

    async def patch(self, link_id: str, **body: object) -> httpx.Response:
        return await self.client.patch(f"/links/{link_id}", json=body, headers=self.tenant.auth)

    async def update(self, link_id: str, **body: object) -> Json:
        return ok(await self.patch(link_id, **body))

    async def delete(self, link_id: str) -> httpx.Response:
        return await self.client.delete(f"/links/{link_id}", headers=self.tenant.auth)

    async def folder(self, name: str) -> str:
        """The id of a new folder of the workspace."""
        response = await self.client.post("/folders", json={"name": name}, headers=self.tenant.auth)
        assert response.status_code == 201, response.text
        folder_id: str = response.json()["id"]
        return folder_id


def ok(response: httpx.Response) -> Json:
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def assert_error(
    response: httpx.Response, status: int, code: str, message: str | None = None
) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["doc_url"] == DOCS + code.replace("_", "-", 1)
    if message is not None:
        assert error["message"] == message


def assert_not_found(response: httpx.Response) -> None:
    assert_error(response, 404, "not_found", NOT_FOUND)


def assert_conflict(response: httpx.Response, message: str | None = None) -> None:
    assert_error(response, 409, "conflict", message)


def assert_unprocessable(response: httpx.Response) -> None:
    assert_error(response, 422, "unprocessable_entity")


async def set_columns(settings: Settings, link_id: str, **values: object) -> None:
    """Write a link's row directly, as the click recorder would (counters, lastClicked)."""
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    engine = create_async_engine(async_url(settings.database_url))
    try:
        async with engine.begin() as conn:
            statement = text(f"UPDATE links SET {assignments} WHERE id = :link_id")  # noqa: S608
            await conn.execute(statement, {**values, "link_id": link_id})
    finally:
        await engine.dispose()
