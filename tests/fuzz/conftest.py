"""One live server for the fuzz package, over one workspace seeded with real objects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clicktrail.config import Settings
from tests.conftest import database_copy, settings_for
from tests.fuzz import workspace as fuzz_workspace
from tests.fuzz.budget import BUDGETS
from tests.support import LiveServer

OVERRIDES = {
    # No worker runs, so no webhook is ever delivered: fuzzed webhook URLs reach nowhere.
    "webhook_dispatcher": "external",
    # The seeded clicks' places come from a proxy's headers (workspace.PLACE).
    "trusted_proxies": "127.0.0.1",
}


@pytest.fixture(scope="package")
def fuzz_settings(
    template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    with database_copy(template_database, tmp_path_factory.mktemp("fuzz")) as url:
        yield settings_for(url, **OVERRIDES)


@pytest.fixture(scope="package")
def fuzz_server(fuzz_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer.running(fuzz_settings) as server:
        yield server


@pytest.fixture(scope="package")
def workspace(fuzz_server: LiveServer) -> fuzz_workspace.Workspace:
    return fuzz_workspace.create(fuzz_server.settings, fuzz_server.url)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Says so when a slow machine ran fewer cases than asked."""
    for budget in BUDGETS:
        for line in budget.report():
            terminalreporter.write_line(line)
