from __future__ import annotations

import httpx
import pytest

from clicktrail.app import Root
from clicktrail.config import Settings
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
