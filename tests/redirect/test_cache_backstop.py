"""Cached links are reloaded once a minute even if no change notice arrives."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import update

from clicktrail.config import Settings
from clicktrail.models import Link
from clicktrail.redirect import resolver
from tests.redirect.helpers import execute, make_link, visit
from tests.support import Tenant


async def test_a_change_that_no_worker_announced_is_seen_after_max_age(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = await make_link(client, tenant, key="quiet", url="https://old.example/")
    assert (await visit(client, "/quiet")).headers["location"] == "https://old.example/"
    # changed behind the server's back: no epoch bump, as when a notice is lost
    await execute(
        settings, update(Link).where(Link.id == link["id"]).values(url="https://new.example/")
    )
    assert (await visit(client, "/quiet")).headers["location"] == "https://old.example/"
    monkeypatch.setattr(resolver, "MAX_AGE_SECONDS", 0.05)
    await asyncio.sleep(0.1)
    assert (await visit(client, "/quiet")).headers["location"] == "https://new.example/"
