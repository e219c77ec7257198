"""A server killed with SIGKILL under a mixed load of redirects, leads and sales, right after
it acknowledged a sale (its folds slowed down, so that the kill falls in the middle of one),
started again on the same database with folds as slow, killed again right after it
acknowledged a click, and started again: what it acknowledged is stored exactly once, what it
did not left nothing half-written, events acknowledged but not folded yet are folded by the
next server, once, and clients that retry after the restarts end with every visit, lead and
sale stored once, with exact counters and amounts."""

from __future__ import annotations

import signal

import httpx
import pytest

from clicktrail.config import Settings
from tests.conftest import settings_for
from tests.crash.invariants import (
    assert_acknowledged_stored,
    assert_consistent,
    assert_totals,
    link_rows,
    unfolded,
)
from tests.crash.journeys import Driver, Journey, Ledger, client, drive, finish, plan
from tests.support import Tenant, folded, make_tenant
from tests.webhooks.processes import Process, server

LINKS = 4
JOURNEYS = 150  # 269 requests
KILL_AFTER = 90  # answers before each of two crashes: a third of the load is left after them
CONCURRENCY = 24
SLOW_FOLD = 0.3  # seconds each fold of the killed servers waits before its commit


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Events go to the outbox, which is checked; nobody delivers them (no dispatcher runs).
    return settings_for(
        database_url, trusted_proxies="127.0.0.1", webhook_dispatcher="external",
        webhook_allow_private=True,
    )  # fmt: skip


async def prepare(http: httpx.AsyncClient, tenant: Tenant) -> list[str]:
    """Short links that track conversions, and a webhook for every event the load causes;
    the links' paths."""
    triggers = ["link.clicked", "lead.created", "sale.created"]
    hook = {"name": "crm", "url": "http://127.0.0.1:9/hooks", "triggers": triggers}
    made = await http.post("/webhooks", json=hook, headers=tenant.auth)
    assert made.status_code == 201, made.text
    paths = []
    for n in range(LINKS):
        link = {"url": f"https://example.com/p{n}", "key": f"crash{n}", "trackConversion": True}
        made = await http.post("/links", json=link, headers=tenant.auth)
        assert made.status_code == 200, made.text
        paths.append(f"/crash{n}")
    return paths


async def assert_served_counters(
    http: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    """The restarted server reports each link's counters as the stored rows count them."""
    response = await http.get("/links", headers=tenant.auth)
    assert response.status_code == 200, response.text
    served = {
        link["key"]: {name: link[name] for name in ("clicks", "leads", "sales", "saleAmount")}
        for link in response.json()
    }
    assert served == await link_rows(settings)


async def test_sigkill_under_load_loses_nothing_acknowledged_and_writes_nothing_twice(
    settings: Settings,
) -> None:
    tenant = await make_tenant(settings, "acme", plan="enterprise")
    ledger = Ledger()
    slow = settings.model_copy(update={"fold_delay": SLOW_FOLD})
    async with server(slow) as first, client(first.url) as http:
        journeys = plan(await prepare(http, tenant), JOURNEYS)
        await drive(crashing(http, tenant, ledger, first, "sale"), journeys, CONCURRENCY)
    await assert_crashed(first, ledger, journeys, settings, cut_before=0)

    cut = ledger.cut
    async with server(slow) as second, client(second.url) as http:
        await folded_consistent(settings)
        await assert_served_counters(http, tenant, settings)
        await drive(crashing(http, tenant, ledger, second, "click"), journeys, CONCURRENCY)
    await assert_crashed(second, ledger, journeys, settings, cut_before=cut)

    async with server(settings) as third, client(third.url) as http:
        await folded_consistent(settings)
        await assert_served_counters(http, tenant, settings)
        await finish(Driver(http, tenant.auth, ledger), journeys, CONCURRENCY)
        for journey in journeys:  # every request once more: nothing new is stored
            journey.done = 0
        await finish(Driver(http, tenant.auth, ledger), journeys, CONCURRENCY)
        await folded(settings)
    await assert_acknowledged_stored(settings, ledger)
    await assert_consistent(settings)
    await assert_totals(settings, journeys)


async def folded_consistent(settings: Settings) -> None:
    """The restarted server folds what the killed one had acknowledged but not folded (or
    folded in a transaction the kill rolled back), exactly once."""
    await folded(settings)
    await assert_consistent(settings)


def crashing(
    http: httpx.AsyncClient, tenant: Tenant, ledger: Ledger, process: Process, *kinds: str
) -> Driver:
    """A driver that kills `process` right after it acknowledges a click, lead or sale (of
    `kinds`), once KILL_AFTER more requests were answered: the moment when a server that
    answered before committing would lose what it acknowledged."""
    after = ledger.answered + KILL_AFTER
    return Driver(http, tenant.auth, ledger, process.kill, after, frozenset(kinds))


async def assert_crashed(
    process: Process, ledger: Ledger, journeys: list[Journey], settings: Settings, cut_before: int
) -> None:
    """The crash came with requests in flight and more to come, and the database holds what
    it must."""
    assert process.popen.returncode == -signal.SIGKILL
    assert ledger.cut > cut_before
    assert not all(j.finished for j in journeys)
    assert await unfolded(settings) > 0  # killed between acknowledgement and fold
    await assert_acknowledged_stored(settings, ledger)
    await assert_consistent(settings)
