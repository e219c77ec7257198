from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from clicktrail.app import Root
from clicktrail.config import Settings
from tests.conftest import settings_for
from tests.isolation.world import Api, World, build, settle
from tests.support import make_tenant
from tests.webhooks.receiver import FAST, Receiver, listening


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url, **FAST)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with listening() as found:
        yield found


@pytest.fixture
async def owner(app: Root, client: httpx.AsyncClient) -> Api:
    """Workspace B, whose data the other key tries to reach. Enterprise: the largest
    analytics budget, for tests that ask many questions."""
    settings = app.api.state.runtime.settings
    return Api(client, await make_tenant(settings, "globex", plan="enterprise"))


@pytest.fixture
async def stranger(app: Root, client: httpx.AsyncClient) -> Api:
    """Workspace A, with a valid key of its own."""
    settings = app.api.state.runtime.settings
    return Api(client, await make_tenant(settings, "acme", plan="enterprise"))


@pytest.fixture
async def world(app: Root, owner: Api, stranger: Api, receiver: Receiver) -> World:
    built = await build(owner, stranger, receiver.url)
    await settle(built, app.api.state.runtime.settings)
    return built
