"""One live server per module for the read-only SDK tests, with the traffic they read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import settings_for
from tests.contract.ledger import Ledger
from tests.contract.traffic import PROXY, Traffic, make_traffic
from tests.support import LiveServer


@pytest.fixture(scope="module")
def module_server(module_database_url: str) -> Iterator[LiveServer]:
    """A server shared by a module's tests, which trusts the loopback as a proxy so that
    visits can say where they come from."""
    with LiveServer.running(settings_for(module_database_url, trusted_proxies=PROXY)) as server:
        yield server


@pytest.fixture(scope="module")
def traffic(module_server: LiveServer) -> Traffic:
    """An enterprise workspace's links, clicks, leads and sales (the plan allows 16 analytics
    calls a second)."""
    return make_traffic(module_server, module_server.tenant("acme", plan="enterprise"))


@pytest.fixture(scope="module")
def ledger(traffic: Traffic) -> Ledger:
    return Ledger.read(traffic)
