"""The webhooks API: create (the secret shown once), list, get, patch, delete, validation."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support import Tenant
from tests.tracking.helpers import assert_error
from tests.webhooks.helpers import TRIGGERS, Hooks

URL = "https://hooks.example.com/dub"
SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{32}")


async def test_the_secret_is_shown_only_by_the_answer_that_creates_it(
    hooks: Hooks, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await hooks.create(URL, "lead.created", "sale.created", name="CRM")
    assert SECRET.fullmatch(created["secret"])
    assert re.fullmatch(r"wh_[0-9A-Z]{25,26}", created["id"])
    assert created == {
        "id": created["id"], "name": "CRM", "url": URL,
        "triggers": ["lead.created", "sale.created"], "disabledAt": None,
        "consecutiveFailures": 0, "createdAt": created["createdAt"],
        "updatedAt": created["updatedAt"], "secret": created["secret"],
    }  # fmt: skip
    assert created["updatedAt"] >= created["createdAt"]
    listed = await client.get("/webhooks", headers=tenant.auth)
    fetched = await client.get(f"/webhooks/{created['id']}", headers=tenant.auth)
    for answer in (listed, fetched):
        assert answer.status_code == 200
        assert "secret" not in answer.text
        assert created["secret"].removeprefix("whsec_") not in answer.text
    shown = {k: v for k, v in created.items() if k != "secret"}
    assert listed.json() == [shown]
    assert fetched.json() == shown
    assert (await hooks.create(URL))["secret"] != created["secret"]


async def test_list_patch_and_delete(
    hooks: Hooks, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first = await hooks.create(URL, "link.created", name="first")
    second = await hooks.create(URL, "link.clicked", "link.clicked", name="second")
    assert second["triggers"] == ["link.clicked"]  # a repeated trigger counts once
    listed = (await client.get("/webhooks", headers=tenant.auth)).json()
    assert [w["id"] for w in listed] == [first["id"], second["id"]]  # oldest first

    changed = await hooks.patch(
        first["id"], name="renamed", url="http://other.example/in", triggers=["sale.created"]
    )
    assert (changed["name"], changed["url"], changed["triggers"]) == (
        "renamed", "http://other.example/in", ["sale.created"]
    )  # fmt: skip
    assert changed["updatedAt"] >= first["updatedAt"]
    assert await hooks.get(first["id"]) == changed

    disabled = await hooks.patch(first["id"], disabled=True)
    assert disabled["disabledAt"] is not None
    assert (await hooks.patch(first["id"], name="again"))["disabledAt"] == disabled["disabledAt"]
    resumed = await hooks.patch(first["id"], disabled=False)
    assert (resumed["disabledAt"], resumed["consecutiveFailures"]) == (None, 0)

    deleted = await client.delete(f"/webhooks/{first['id']}", headers=tenant.auth)
    assert (deleted.status_code, deleted.json()) == (200, {"id": first["id"]})
    gone = await client.get(f"/webhooks/{first['id']}", headers=tenant.auth)
    assert_error(gone, 404, "not_found", "Webhook not found.")
    listed = (await client.get("/webhooks", headers=tenant.auth)).json()
    assert [w["id"] for w in listed] == [second["id"]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"triggers": ["link.exploded"]}, "invalid_value: triggers[0]: Invalid option"),
        ({"triggers": []}, "custom: triggers: List should have at least 1 item"),
        ({"url": "ftp://hooks.example.com/x"}, "custom: url: The webhook URL must be an http"),
        ({"url": "javascript:alert(1)"}, "custom: url: The webhook URL must be an http"),
        ({"url": "not a url"}, "custom: url: The webhook URL must be an http"),
        ({"url": "http://hooks.example.com:99999/x"}, "custom: url: The webhook URL has an"),
        ({"url": "http://[::1/x"}, "custom: url: The webhook URL is not a valid URL."),
        ({"name": ""}, "too_small: name:"),
    ],
)
async def test_invalid_webhooks_are_refused(
    body: dict[str, object], message: str, client: httpx.AsyncClient, tenant: Tenant, hooks: Hooks
) -> None:
    full = {"name": "x", "url": URL, "triggers": list(TRIGGERS)} | body
    created = await client.post("/webhooks", json=full, headers=tenant.auth)
    assert created.status_code == 422, created.text
    assert created.json()["error"]["code"] == "unprocessable_entity"
    assert created.json()["error"]["message"].startswith(message)
    existing = await hooks.create(URL)
    patched = await client.patch(f"/webhooks/{existing['id']}", json=body, headers=tenant.auth)
    assert patched.status_code == 422, patched.text
    assert await hooks.get(existing["id"]) == {k: v for k, v in existing.items() if k != "secret"}
    assert (await client.get("/webhooks", headers=tenant.auth)).json() == [
        {k: v for k, v in existing.items() if k != "secret"}
    ]


async def test_another_workspaces_webhook_does_not_exist(
    hooks: Hooks, client: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    theirs = await Hooks(client, other_tenant).create(URL)
    path = f"/webhooks/{theirs['id']}"
    for answer in (
        await client.get(path, headers=hooks.tenant.auth),
        await client.patch(path, json={"name": "mine"}, headers=hooks.tenant.auth),
        await client.delete(path, headers=hooks.tenant.auth),
        await client.get(f"{path}/deliveries", headers=hooks.tenant.auth),
        await client.post(f"{path}/deliveries/whd_x/retry", headers=hooks.tenant.auth),
    ):
        assert_error(answer, 404, "not_found", "Webhook not found.")
    assert (await client.get("/webhooks", headers=hooks.tenant.auth)).json() == []
    assert (await Hooks(client, other_tenant).get(theirs["id"]))["name"] == "receiver"


async def test_the_api_needs_a_key(client: httpx.AsyncClient, hooks: Hooks) -> None:
    made = await hooks.create(URL)
    for answer in (
        await client.get("/webhooks"),
        await client.post("/webhooks", json={"name": "x", "url": URL, "triggers": TRIGGERS}),
        await client.delete(f"/webhooks/{made['id']}"),
    ):
        assert_error(answer, 401, "unauthorized", "Missing Authorization header.")
