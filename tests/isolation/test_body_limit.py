"""Request bodies over CLICKTRAIL_BODY_LIMIT get 413 in the error envelope, before they are
read: at once when Content-Length says so, and for a chunked body as soon as the bytes received
pass the limit. In process, and over real HTTP to a server that is never sent the whole body."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from clicktrail.api.bodylimit import CODE
from clicktrail.app import create_app
from clicktrail.config import Settings
from clicktrail.errors import doc_url
from tests.conftest import settings_for
from tests.isolation.rawhttp import Answer, connect
from tests.support import LiveServer, Tenant, make_tenant

LIMIT = 64 * 1024
CHUNK = 8 * 1024
MESSAGE = f"Request body too large: the limit is {LIMIT} bytes."
ENVELOPE = {"error": {"code": CODE, "message": MESSAGE, "doc_url": doc_url(CODE)}}
JSON = {"Content-Type": "application/json"}
# Where a body is refused: API paths with and without /api, and the one CORS path.
REFUSING = [
    ("POST", "/links"), ("POST", "/api/links"), ("PATCH", "/links/link_x"),
    ("POST", "/track/lead"), ("POST", "/api/customers"), ("POST", "/track/click"),
]  # fmt: skip


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url, body_limit=LIMIT)


def link_of_size(size: int) -> bytes:
    """A valid link body of exactly `size` bytes (JSON allows trailing spaces)."""
    body = b'{"url": "https://example.com/spring", "key": "spring"}'
    return body + b" " * (size - len(body))


def chunks(size: int) -> Iterator[bytes]:
    body = link_of_size(size)
    yield from (body[i : i + CHUNK] for i in range(0, size, CHUNK))


async def streamed(size: int, pulled: list[int] | None = None) -> AsyncIterator[bytes]:
    """A chunked body; `pulled` counts the chunks the server asked for."""
    for chunk in chunks(size):
        if pulled is not None:
            pulled.append(len(chunk))
        yield chunk


def assert_refused(status: int, body: object, limit: int = LIMIT) -> None:
    message = f"Request body too large: the limit is {limit} bytes."
    assert (status, body) == (413, {**ENVELOPE, "error": {**ENVELOPE["error"], "message": message}})


async def links_of(client: httpx.AsyncClient, tenant: Tenant) -> list[str]:
    response = await client.get("/links", headers=tenant.auth)
    return [link["key"] for link in response.json()]


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_of_exactly_the_limit_is_read(
    client: httpx.AsyncClient, tenant: Tenant, chunked: bool
) -> None:
    content = streamed(LIMIT) if chunked else link_of_size(LIMIT)
    response = await client.post("/links", content=content, headers=tenant.auth)
    assert response.status_code == 200, response.text
    assert await links_of(client, tenant) == ["spring"]


@pytest.mark.parametrize(("method", "path"), REFUSING)
async def test_a_declared_length_over_the_limit_is_refused_before_the_app(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    # No key: the API would answer 401; the 413 comes before it looks.
    response = await client.request(method, path, content=link_of_size(LIMIT + 1))
    assert_refused(response.status_code, response.json())


@pytest.mark.parametrize(("method", "path"), REFUSING)
async def test_a_chunked_body_is_cut_off_as_it_passes_the_limit(
    client: httpx.AsyncClient, tenant: Tenant, method: str, path: str
) -> None:
    pulled: list[int] = []
    response = await client.request(
        method, path, content=streamed(8 * LIMIT, pulled), headers=tenant.auth
    )
    assert_refused(response.status_code, response.json())
    assert sum(pulled) == LIMIT + CHUNK  # the chunk that passed the limit was the last read
    assert await links_of(client, tenant) == []


async def test_the_click_script_sees_413_with_cors_headers(client: httpx.AsyncClient) -> None:
    for content in (link_of_size(LIMIT + 1), streamed(2 * LIMIT)):
        response = await client.post("/api/track/click", content=content)
        assert_refused(response.status_code, response.json())
        assert response.headers["access-control-allow-origin"] == "*"


async def test_the_limit_is_one_mebibyte_by_default(database_url: str) -> None:
    root = create_app(settings_for(database_url))
    transport = httpx.ASGITransport(app=root)
    async with (
        root.api.router.lifespan_context(root.api),
        httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client,
    ):
        tenant = await make_tenant(root.api.state.runtime.settings, "acme")
        over = await client.post("/links", content=link_of_size(2**20 + 1), headers=tenant.auth)
        assert_refused(over.status_code, over.json(), limit=2**20)
        at = await client.post("/links", content=link_of_size(2**20), headers=tenant.auth)
        assert at.status_code == 200, at.text


# --- over real HTTP, to uvicorn in its own process ----------------------------------------


def api_headers(server: LiveServer, tenant: Tenant) -> dict[str, str]:
    return {"Host": f"127.0.0.1:{server.port}", **tenant.auth, **JSON}


def assert_refused_over_http(answer: Answer) -> None:
    assert_refused(answer.status, answer.json())


def test_over_http_a_declared_length_is_refused_before_any_body_is_sent(
    live_server: LiveServer,
) -> None:
    tenant = live_server.tenant("acme")
    with connect(live_server.url) as http:
        headers = {**api_headers(live_server, tenant), "Content-Length": str(100 * LIMIT)}
        http.send_head("POST", "/api/links", headers)
        assert_refused_over_http(http.answer())


def test_over_http_a_chunked_body_is_refused_while_it_is_still_being_sent(
    live_server: LiveServer,
) -> None:
    tenant = live_server.tenant("acme")
    with connect(live_server.url) as http:
        headers = {**api_headers(live_server, tenant), "Transfer-Encoding": "chunked"}
        http.send_head("POST", "/links", headers)
        for chunk in chunks(LIMIT + CHUNK):
            http.send_chunk(chunk)
        # The body has no end yet: only a server that stopped reading it can answer now.
        assert_refused_over_http(http.answer())
    assert httpx.get(f"{live_server.url}/links", headers=tenant.auth).json() == []


def test_over_http_a_client_that_sends_it_all_gets_413_and_keeps_its_connection(
    live_server: LiveServer,
) -> None:
    tenant = live_server.tenant("acme")
    with httpx.Client(base_url=live_server.url, headers=tenant.auth) as client:
        refused = client.post("/links", content=chunks(16 * LIMIT))
        assert_refused(refused.status_code, refused.json())
        cors = client.post("/api/track/click", content=chunks(2 * LIMIT))
        assert_refused(cors.status_code, cors.json())
        assert cors.headers["access-control-allow-origin"] == "*"
        accepted = client.post("/links", content=chunks(LIMIT))
        assert accepted.status_code == 200, accepted.text
        assert [link["key"] for link in client.get("/links").json()] == ["spring"]
