"""One click per visitor (IP and user agent) per link per hour (DESIGN.md, principle 3)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from clicktrail.config import Settings
from clicktrail.kit.clock import utcnow
from clicktrail.models import ClickVisitor
from tests.redirect.helpers import (
    IPHONE_UA,
    click_count,
    clicks,
    dub_id,
    execute,
    link_row,
    make_link,
    visit,
    worker,
)
from tests.support import Tenant, fetch


async def test_the_same_visitor_within_the_hour_is_one_click(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="again", trackConversion=True)
    first = dub_id(await visit(client, "/again"))
    cookie = {"Cookie": f"dub_id_localhost%3A8000_again={first}"}
    assert dub_id(await visit(client, "/again", headers=cookie)) == first
    assert dub_id(await visit(client, "/again")) == first
    async with worker(settings) as other_process:
        assert dub_id(await visit(other_process, "/again")) == first
    assert [row["id"] for row in await clicks(settings, link["id"])] == [first]
    assert (await link_row(settings, link["id"]))["clicks"] == 1


async def test_a_click_id_cookie_is_reused_as_it_is(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    await make_link(client, tenant, key="kept", trackConversion=True)
    cookie = {"Cookie": "other=1; dub_id_localhost%3A8000_kept=AAAAbbbbCCCCdddd"}
    response = await visit(client, "/kept", headers=cookie)
    assert dub_id(response) == "AAAAbbbbCCCCdddd"
    assert await click_count(settings) == 0


@pytest.mark.parametrize("value", ["short", "not/a/click/id!!", "x" * 17])
async def test_a_malformed_cookie_is_ignored(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, value: str
) -> None:
    await make_link(client, tenant, key="kept", trackConversion=True)
    response = await visit(
        client, "/kept", headers={"Cookie": f"dub_id_localhost%3A8000_kept={value}"}
    )
    assert dub_id(response) != value
    assert await click_count(settings) == 1


async def test_another_agent_or_address_is_another_click(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="many", trackConversion=True)
    first = dub_id(await visit(client, "/many"))
    by_phone = dub_id(await visit(client, "/many", ua=IPHONE_UA))
    async with worker(settings, peer="198.51.100.9") as elsewhere:
        from_elsewhere = dub_id(await visit(elsewhere, "/many"))
    assert len({first, by_phone, from_elsewhere}) == 3
    assert len(await clicks(settings, link["id"])) == 3
    assert (await link_row(settings, link["id"]))["clicks"] == 3


async def test_one_visitor_on_two_links_is_two_clicks(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    a = await make_link(client, tenant, key="a", trackConversion=True)
    b = await make_link(client, tenant, key="b", trackConversion=True)
    assert dub_id(await visit(client, "/a")) != dub_id(await visit(client, "/b"))
    assert len(await clicks(settings, a["id"])) == len(await clicks(settings, b["id"])) == 1


async def test_after_the_hour_the_visitor_is_a_new_click(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await make_link(client, tenant, key="hourly", trackConversion=True)
    first = dub_id(await visit(client, "/hourly"))
    await visitors_expire_at(settings, utcnow() - timedelta(seconds=1))
    async with worker(settings) as an_hour_later:
        second = dub_id(await visit(an_hour_later, "/hourly"))
    assert second is not None
    assert second != first
    assert {row["id"] for row in await clicks(settings, link["id"])} == {first, second}
    [visitor] = await fetch(settings, "SELECT click_id FROM click_visitors")
    assert visitor["click_id"] == second
    assert (await link_row(settings, link["id"]))["clicks"] == 2


async def test_a_worker_forgets_a_visitor_when_the_database_does(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    """The visitor's hour started on another worker: this worker must not make it longer."""
    link = await make_link(client, tenant, key="hourly", trackConversion=True)
    async with worker(settings) as other_process:
        first = dub_id(await visit(other_process, "/hourly"))
    hour_ends = utcnow() + timedelta(seconds=2)  # the first click was 59:58 ago
    await visitors_expire_at(settings, hour_ends)
    assert dub_id(await visit(client, "/hourly")) == first
    await asyncio.sleep((hour_ends - utcnow()).total_seconds() + 0.2)
    second = dub_id(await visit(client, "/hourly"))
    assert second != first
    assert len(await clicks(settings, link["id"])) == 2


@pytest.mark.parametrize("seconds_left", [30, 3000])
async def test_within_the_hour_nothing_changes(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings, seconds_left: int
) -> None:
    await make_link(client, tenant, key="hourly", trackConversion=True)
    first = dub_id(await visit(client, "/hourly"))
    await visitors_expire_at(settings, utcnow() + timedelta(seconds=seconds_left))
    async with worker(settings) as other_process:
        assert dub_id(await visit(other_process, "/hourly")) == first
    assert await click_count(settings) == 1


async def visitors_expire_at(settings: Settings, when: datetime) -> None:
    await execute(settings, update(ClickVisitor).values(expires_at=when))
