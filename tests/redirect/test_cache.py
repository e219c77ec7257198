"""Each worker caches links in memory; a change through the API reaches every worker's next
redirect. A second app on the same database stands for another worker process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from clicktrail.config import Settings
from tests.redirect.helpers import make_link, visit, worker
from tests.support import Tenant

Change = Callable[[httpx.AsyncClient, Tenant, dict[str, Any]], Awaitable[httpx.Response]]


@pytest.fixture
async def other_worker(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with worker(settings) as c:
        yield c


def patch(**body: Any) -> Change:
    async def change(
        client: httpx.AsyncClient, tenant: Tenant, link: dict[str, Any]
    ) -> httpx.Response:
        return await client.patch(f"/links/{link['id']}", json=body, headers=tenant.auth)

    return change


async def delete(client: httpx.AsyncClient, tenant: Tenant, link: dict[str, Any]) -> httpx.Response:
    return await client.delete(f"/links/{link['id']}", headers=tenant.auth)


async def where_to(client: httpx.AsyncClient, path: str) -> str | int:
    """Where a visitor is sent: the Location of a redirect, or the status of anything else."""
    response = await visit(client, path)
    return response.headers.get("location") or response.status_code


CHANGES = [
    pytest.param(patch(url="https://example.org/new"), "https://example.org/new", id="url"),
    pytest.param(delete, 404, id="delete"),
    pytest.param(patch(disabled=True), 404, id="disable"),
    pytest.param(patch(password="s3cret"), 401, id="password"),
    pytest.param(patch(key="renamed"), 404, id="rename"),
]


@pytest.mark.parametrize(("change", "after"), CHANGES)
async def test_a_change_reaches_this_worker(
    client: httpx.AsyncClient, tenant: Tenant, change: Change, after: str | int
) -> None:
    link = await make_link(client, tenant, key="cached")
    assert await where_to(client, "/cached") == "https://example.com/landing"
    assert (await change(client, tenant, link)).status_code == 200
    assert await where_to(client, "/cached") == after


@pytest.mark.parametrize(("change", "after"), CHANGES)
async def test_a_change_reaches_another_worker(
    client: httpx.AsyncClient,
    tenant: Tenant,
    other_worker: httpx.AsyncClient,
    change: Change,
    after: str | int,
) -> None:
    link = await make_link(client, tenant, key="cached")
    assert await where_to(other_worker, "/cached") == "https://example.com/landing"
    assert (await change(client, tenant, link)).status_code == 200
    assert await where_to(other_worker, "/cached") == after


async def test_a_renamed_link_answers_at_its_new_key_everywhere(
    client: httpx.AsyncClient, tenant: Tenant, other_worker: httpx.AsyncClient
) -> None:
    link = await make_link(client, tenant, key="before")
    assert await where_to(other_worker, "/after") == 404
    await patch(key="after")(client, tenant, link)
    assert await where_to(client, "/after") == "https://example.com/landing"
    assert await where_to(other_worker, "/after") == "https://example.com/landing"


async def test_a_reenabled_link_redirects_again_everywhere(
    client: httpx.AsyncClient, tenant: Tenant, other_worker: httpx.AsyncClient
) -> None:
    link = await make_link(client, tenant, key="toggle", disabled=True)
    assert await where_to(other_worker, "/toggle") == 404
    await patch(disabled=False)(client, tenant, link)
    assert await where_to(other_worker, "/toggle") == "https://example.com/landing"


async def test_a_missing_key_is_found_once_created(
    client: httpx.AsyncClient, tenant: Tenant, other_worker: httpx.AsyncClient
) -> None:
    await make_link(client, tenant, key="first")  # so that the shared host has links at all
    assert await where_to(client, "/later") == 404
    assert await where_to(other_worker, "/later") == 404
    await make_link(client, tenant, key="later", url="https://example.com/later")
    assert await where_to(client, "/later") == "https://example.com/later"
    assert await where_to(other_worker, "/later") == "https://example.com/later"


async def test_a_new_domain_is_served_by_every_worker(
    client: httpx.AsyncClient, tenant: Tenant, other_worker: httpx.AsyncClient
) -> None:
    await make_link(client, tenant, key="first")
    await where_to(other_worker, "/first")  # the worker now knows the domains with links
    await make_link(client, tenant, domain="go.example.com", key="spring")
    response = await visit(other_worker, "/spring", headers={"Host": "go.example.com"})
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/landing"


async def test_a_cache_of_size_zero_still_redirects(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    await make_link(client, tenant, key="nocache")
    uncached = settings.model_copy(update={"link_cache_size": 0})
    async with worker(uncached) as c:
        assert await where_to(c, "/nocache") == "https://example.com/landing"
        assert await where_to(c, "/NOCACHE") == "https://example.com/landing"
