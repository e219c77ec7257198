"""Debian's Chromium (/usr/bin/chromium) driven by Playwright: no browser download. `make test`
installs the package when it is missing (see the Makefile)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from clicktrail.config import Settings
from tests.dashboard.helpers import PASSWORD, make_user
from tests.support import LiveServer, Tenant, free_port, make_tenant

CHROMIUM = Path(os.environ.get("CLICKTRAIL_TEST_CHROMIUM", "/usr/bin/chromium"))
# Not HeadlessChrome: the redirect counts no click of a bot, and headless Chromium names itself.
DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)
NARROW: ViewportSize = {"width": 390, "height": 844}
BERLIN = {
    "country": {"iso_code": "DE"},
    "city": {"names": {"en": "Berlin"}},
    "subdivisions": [{"iso_code": "BE"}],
    "continent": {"code": "EU"},
}


@dataclass(frozen=True)
class Site:
    """A live server with one business workspace (`acme`), its owner and its API key."""

    server: LiveServer
    tenant: Tenant
    email: str

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, path: str, body: dict[str, object]) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", json=body, headers=self.tenant.auth, timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def geoip_file(directory: Path) -> Path:
    """Every visitor from 127.0.0.0/8 is in Berlin, so that clicks have a country."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoIP2-City")
    writer.insert_network(IPSet(["127.0.0.0/8"]), BERLIN)
    path = directory / "city.mmdb"
    writer.to_db_file(str(path))
    return path


@contextmanager
def site(settings: Settings, directory: Path) -> Iterator[Site]:
    port = free_port()
    served = settings.model_copy(
        update={"geoip_path": geoip_file(directory), "short_domain": f"127.0.0.1:{port}"}
    )
    with LiveServer.running(served, port=port) as server:
        tenant = asyncio.run(make_tenant(served, "acme"))
        asyncio.run(make_user(served, "owner@example.com", "acme"))
        yield Site(server, tenant, "owner@example.com")


def new_page(browser: Browser, narrow: bool = False) -> Page:
    context = browser.new_context(user_agent=DESKTOP_UA, viewport=NARROW if narrow else None)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def sign_in(page: Page, where: Site) -> None:
    page.goto(f"{where.url}/dashboard")
    page.get_by_label("Email").fill(where.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/acme/links")
