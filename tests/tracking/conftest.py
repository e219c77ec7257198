from __future__ import annotations

import httpx
import pytest

from clicktrail.app import Root
from tests.support import Tenant
from tests.tracking.helpers import Tracker


@pytest.fixture
def track(client: httpx.AsyncClient, tenant: Tenant, app: Root) -> Tracker:
    return Tracker(client, tenant, app.api.state.runtime.settings)
