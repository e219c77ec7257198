from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from clicktrail.app import Root
from clicktrail.config import Settings
from tests.conftest import settings_for
from tests.support import Tenant
from tests.tracking.helpers import Tracker
from tests.webhooks.helpers import Hooks
from tests.webhooks.receiver import FAST, Receiver, listening


@pytest.fixture
def overrides() -> dict[str, Any]:
    """More settings; a test changes them with `@pytest.mark.parametrize("overrides", ...)`."""
    return {}


@pytest.fixture
def settings(database_url: str, overrides: dict[str, Any]) -> Settings:
    return settings_for(database_url, **(FAST | overrides))


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with listening() as found:
        yield found


@pytest.fixture
def hooks(client: httpx.AsyncClient, tenant: Tenant) -> Hooks:
    return Hooks(client, tenant)


@pytest.fixture
def track(client: httpx.AsyncClient, tenant: Tenant, app: Root) -> Tracker:
    return Tracker(client, tenant, app.api.state.runtime.settings)
