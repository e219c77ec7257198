"""CLICKTRAIL_ANALYTICS_TIMEOUT: a question whose queries run too long is stopped with a 400
that says so, and the server goes on answering (SQLite: a progress-handler deadline;
PostgreSQL: statement_timeout)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from clicktrail.app import create_app
from clicktrail.config import Settings
from tests.analytics.helpers import PEER, US, all_events, analytics, assert_error, get, visit
from tests.support import Tenant
from tests.tracking.helpers import Tracker

TINY = 0.000001
TOO_SLOW = (
    "This query took longer than 1e-06 s and was stopped; ask for a shorter time range or fewer "
    "filters."
)
# Excluding thousands of countries nobody visits from: a filter the rollups cannot answer, and
# a query with enough work in it on either database to outlast a microsecond (or a millisecond,
# PostgreSQL's smallest statement_timeout).
MANY_COUNTRIES = "-" + ",".join(f"Q{n}" for n in range(5000))


@pytest.fixture
async def impatient(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database whose analytics queries may run a microsecond."""
    tiny = Settings.model_validate({**settings.model_dump(), "analytics_timeout": TINY})
    root = create_app(tiny)
    async with root.api.router.lifespan_context(root.api):
        transport = httpx.ASGITransport(app=root, client=(PEER, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
            yield c


@pytest.fixture
async def clicked(client: httpx.AsyncClient, track: Tracker) -> dict[str, object]:
    """Three clicks and a lead: the filter has rows to be checked against."""
    link = await track.link(key="slow")
    click_ids = [await visit(client, link, place=US) for _ in range(3)]
    await track.lead(clickId=click_ids[0], eventName="Sign up", customerExternalId="u0")
    return link


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/analytics", {"country": MANY_COUNTRIES}),
        ("/analytics", {"country": MANY_COUNTRIES, "groupBy": "cities", "event": "composite"}),
        ("/events", {"country": MANY_COUNTRIES}),
        ("/events", {"country": MANY_COUNTRIES, "event": "leads"}),
    ],
)
async def test_a_query_past_the_limit_is_stopped_with_a_400(
    impatient: httpx.AsyncClient, tenant: Tenant, clicked: dict[str, object], path: str,
    params: dict[str, str],
) -> None:  # fmt: skip
    response = await get(impatient, tenant, path, **params)
    assert_error(response, 400, "bad_request", TOO_SLOW)


async def test_the_server_goes_on_answering_after_a_stopped_query(
    impatient: httpx.AsyncClient,
    client: httpx.AsyncClient,
    track: Tracker,
    clicked: dict[str, object],
) -> None:
    tenant = track.tenant
    for _ in range(3):
        stopped = await get(impatient, tenant, "/analytics", country=MANY_COUNTRIES)
        assert stopped.status_code == 400
    # The same app's connections are fine: reads, redirects and writes all work.
    listed = await impatient.get("/links", headers=tenant.auth)
    assert listed.status_code == 200
    assert [link["key"] for link in listed.json()] == ["slow"]
    click_id = await visit(impatient, clicked, place=US)
    lead = await impatient.post(
        "/track/lead",
        json={"clickId": click_id, "eventName": "Sign up", "customerExternalId": "u1"},
        headers=tenant.auth,
    )
    assert lead.status_code == 200, lead.text
    # And the patient app answers the same question in full.
    assert (await analytics(client, tenant, country=MANY_COUNTRIES, event="composite")) == {
        "clicks": 4, "leads": 2, "sales": 0, "saleAmount": 0,
    }  # fmt: skip
    assert len(await all_events(client, tenant, limit=100, country=MANY_COUNTRIES)) == 4
