"""Analytics tests run with the `client` fixture's peer trusted as a proxy, so that a visit's
place comes from the geo headers it sends, and with an enterprise-plan tenant, whose analytics
budget (16 requests a second) suits tests that ask many questions. No webhook dispatcher runs
in the app: its write transaction every 0.2 s can make a connection opened beside the server
(tests.support.make_tenant) fail with "database is locked" on SQLite."""

from __future__ import annotations

import httpx
import pytest

from clicktrail.app import Root
from clicktrail.config import Settings
from tests.analytics.helpers import PEER
from tests.support import Tenant, make_tenant
from tests.tracking.helpers import Tracker


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return Settings.model_validate(
        {
            **settings.model_dump(),
            "trusted_proxies": f"{PEER}/32",
            "store_raw_ips": True,
            "webhook_dispatcher": "external",
        }
    )


@pytest.fixture
async def tenant(app: Root) -> Tenant:
    return await make_tenant(app.api.state.runtime.settings, "acme", plan="enterprise")


@pytest.fixture
def track(client: httpx.AsyncClient, tenant: Tenant, app: Root) -> Tracker:
    return Tracker(client, tenant, app.api.state.runtime.settings)
