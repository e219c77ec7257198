from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser

from clicktrail.app import Root
from clicktrail.config import Settings
from tests.conftest import settings_for
from tests.dashboard.browser import Site, chromium, site
from tests.dashboard.helpers import Visitor, make_user
from tests.support import Tenant


@pytest.fixture
def app_settings(app: Root) -> Settings:
    settings: Settings = app.api.state.runtime.settings
    return settings


@pytest.fixture
async def owner(client: httpx.AsyncClient, tenant: Tenant, app_settings: Settings) -> Visitor:
    """The owner of `tenant` (slug `acme`), signed in."""
    await make_user(app_settings, "owner@example.com", tenant.slug)
    visitor = Visitor(client)
    answer = await visitor.sign_in("owner@example.com")
    assert answer.status_code == 303, answer.text
    return visitor


@pytest.fixture(scope="module")
def live_site(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with site(settings_for(module_database_url), tmp_path_factory.mktemp("geo")) as running:
        yield running


@pytest.fixture(scope="module")
def browser(live_site: Site) -> Iterator[Browser]:
    """One Chromium for the browser tests (all in one module); each test opens its own context
    (cookies, viewport). Started after the site, and module-scoped: Playwright keeps an event loop
    running in this thread while it is open, where asyncio.run (the site's set-up and
    tear-down, async tests) cannot run."""
    with chromium() as launched:
        yield launched
