"""The error envelope and the authentication errors of spec §5.1 and §6."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from clicktrail import admin
from clicktrail.app import Root
from clicktrail.kit.clock import utcnow
from tests.support import Tenant


def assert_error(response: httpx.Response, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {
        "error": {
            "code": code,
            "message": message,
            "doc_url": "https://dub.co/docs/api-reference/errors#" + code.replace("_", "-", 1),
        }
    }


async def test_missing_authorization_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/links")
    assert_error(response, 401, "unauthorized", "Missing Authorization header.")


async def test_header_without_bearer(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get("/links", headers={"Authorization": tenant.key})
    assert_error(
        response,
        400,
        "bad_request",
        "Misconfigured authorization header. Did you forget to add 'Bearer '? "
        "Learn more: https://d.to/auth",
    )


async def test_unknown_workspace_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/links", headers={"Authorization": "Bearer dub_notakey"})
    assert_error(response, 401, "unauthorized", "Unauthorized: Invalid API key.")


async def test_personal_style_key_without_workspace(client: httpx.AsyncClient) -> None:
    response = await client.get("/links", headers={"Authorization": "Bearer sk_personal"})
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Workspace ID not found.")
    with_ref = await client.get(
        "/links", params={"workspaceId": "ws_x"}, headers={"Authorization": "Bearer sk_personal"}
    )
    assert_error(with_ref, 401, "unauthorized", "Unauthorized: Invalid API key.")


async def test_expired_key(client: httpx.AsyncClient, app: Root, tenant: Tenant) -> None:
    settings = app.api.state.runtime.settings
    past = utcnow() - timedelta(minutes=1)
    expired = await admin.run(
        settings, lambda ctx: admin.create_key(ctx, tenant.slug, "old", expires_at=past)
    )
    response = await client.get("/links", headers={"Authorization": f"Bearer {expired['key']}"})
    assert_error(response, 401, "unauthorized", "Unauthorized: Access token expired.")


async def test_a_key_still_valid_works(
    client: httpx.AsyncClient, app: Root, tenant: Tenant
) -> None:
    settings = app.api.state.runtime.settings
    future = utcnow() + timedelta(days=1)
    fresh = await admin.run(
        settings, lambda ctx: admin.create_key(ctx, tenant.slug, "new", expires_at=future)
    )
    response = await client.get("/links", headers={"Authorization": f"Bearer {fresh['key']}"})
    assert response.status_code == 200


@pytest.mark.parametrize("body", [b"{not json", b"", b"   "])
async def test_malformed_json(client: httpx.AsyncClient, tenant: Tenant, body: bytes) -> None:
    response = await client.post("/links", content=body, headers=tenant.auth)
    assert_error(
        response,
        400,
        "bad_request",
        "Invalid JSON format in request body. Please ensure the request body is a valid JSON "
        "object.",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "invalid_type: url: Invalid input: expected string, received undefined"),
        ([1, 2], "invalid_type: : Invalid input: expected object, received array"),
        ({"url": 5}, "invalid_type: url: Invalid input: expected string, received number"),
        (
            {"url": "https://a.example", "utm_source": "x" * 256},
            "too_big: utm_source: Too big: expected string to have <=255 characters",
        ),
        (
            {"url": "https://a.example", "trackConversion": "yes"},
            "invalid_type: trackConversion: Invalid input: expected boolean, received string",
        ),
        (
            {"url": "https://a.example", "keyLength": 2},
            "too_small: keyLength: Too small: expected number to be >=3",
        ),
    ],
)
async def test_validation_errors_read_like_dubs(
    client: httpx.AsyncClient, tenant: Tenant, body: object, message: str
) -> None:
    response = await client.post("/links", json=body, headers=tenant.auth)
    assert_error(response, 422, "unprocessable_entity", message)


async def test_body_is_json_whatever_the_content_type(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/links",
        content=b'{"url": "https://a.example"}',
        headers={**tenant.auth, "Content-Type": "text/plain"},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", ["/nope/nothing", "/api/nope/nothing"])
async def test_unknown_route_is_404_in_envelope(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_every_route_answers_under_api(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plain = await client.get("/links/count", headers=tenant.auth)
    prefixed = await client.get("/api/links/count", headers=tenant.auth)
    assert plain.status_code == prefixed.status_code == 200
    assert plain.json() == prefixed.json() == 0
