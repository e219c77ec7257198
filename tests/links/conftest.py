from __future__ import annotations

import httpx
import pytest

from tests.links.helpers import LinksApi
from tests.support import Tenant


@pytest.fixture
def acme(client: httpx.AsyncClient, tenant: Tenant) -> LinksApi:
    return LinksApi(client, tenant)


@pytest.fixture
def globex(client: httpx.AsyncClient, other_tenant: Tenant) -> LinksApi:
    return LinksApi(client, other_tenant)
