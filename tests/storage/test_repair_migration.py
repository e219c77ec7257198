"""Migration 0007 cleans, or neutralises, the link rows that were stored before destinations
and domains were checked, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text, update

from clicktrail.app import Root
from clicktrail.config import Settings
from clicktrail.kit.clock import utcnow
from clicktrail.models import Link
from clicktrail.storage.migrate import upgrade
from tests.redirect.helpers import IPHONE_UA, execute, make_link, visit, worker
from tests.support import Tenant, fetch

GOOD = "https://example.com/landing"
# Each link's columns as an old server stored them, and what 0007 must leave.
BAD: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "crlf": (
        {"expired_url": "https://example.com/gone\r\n\r\nX: 1"},
        {"expired_url": "https://example.com/goneX: 1", "disabled": False},
    ),
    "targets": (
        {
            "ios": "javascript:alert(1)",
            "android": "//evil.example/x",
            "geo": {"DE": "data:text/html,x", "FR": "https://e.fr/"},
        },
        {"ios": None, "android": None, "geo": {"FR": "https://e.fr/"}, "disabled": False},
    ),
    "url": (
        {"url": "javascript:alert(document.cookie)"},
        {"url": "javascript:alert(document.cookie)", "disabled": True},
    ),
    "url-tab": (
        {"url": "https://example.com/a\tb"},
        {"url": "https://example.com/ab", "disabled": False},
    ),
    "domain": ({"domain": "x.example;domain=.example.com"}, {"disabled": True}),
    "dotted": ({"domain": "go.example.com."}, {"disabled": True}),
    "fine": ({}, {"url": GOOD, "ios": "https://apps.apple.com/x", "disabled": False}),
}


async def test_bad_rows_are_cleaned_or_neutralised(
    client: httpx.AsyncClient, tenant: Tenant, app: Root, settings: Settings
) -> None:
    ids = {}
    for key, (stored, _) in BAD.items():
        link = await make_link(client, tenant, key=key, url=GOOD, ios="https://apps.apple.com/x")
        ids[key] = link["id"]
        await execute(settings, update(Link).where(Link.id == link["id"]).values(**stored))
    await execute(settings, text("UPDATE alembic_version SET version_num = '0006'"))
    await upgrade(settings.database_url, "0007")  # later revisions are in the schema already
    for key, (_, expected) in BAD.items():
        row = await link_row(settings, ids[key])
        shown = {name: row[name] for name in expected if name != "disabled"}
        assert shown == {name: value for name, value in expected.items() if name != "disabled"}, key
        assert (row["disabled_at"] is not None) == expected["disabled"], key
    assert (await fetch(settings, "SELECT version_num FROM alembic_version"))[0][
        "version_num"
    ] == "0007"
    await _visits_are_safe(app, settings, ids["crlf"])


async def _visits_are_safe(app: Root, settings: Settings, link_id: str) -> None:
    past = utcnow() - timedelta(minutes=1)
    await execute(settings, update(Link).where(Link.id == link_id).values(expires_at=past))
    async with worker(app.api.state.runtime.settings) as fresh:  # a server started after 0007
        expired = await visit(fresh, "/crlf")
        iphone = await visit(fresh, "/targets", ua=IPHONE_UA)
        disabled = await visit(fresh, "/url")
    assert (expired.status_code, expired.headers["location"]) == (
        302,
        "https://example.com/goneX: 1",
    )
    assert iphone.headers["location"] == GOOD  # its iOS URL was unset: the link's own URL
    assert disabled.status_code == 404


async def link_row(settings: Settings, link_id: str) -> dict[str, Any]:
    [row] = await fetch(settings, "SELECT * FROM links WHERE id = :id", id=link_id)
    if isinstance(row["geo"], str):  # SQLite hands JSON back as text through a raw query
        row["geo"] = json.loads(row["geo"])
    return row
