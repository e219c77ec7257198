"""Rates for every currency (issue 15): the bundled snapshot from fawazahmed0/currency-api, its
format read by `clicktrail fx update`, and the scheduled refresh from CLICKTRAIL_FX_URL, each
against a real HTTP server on 127.0.0.1 serving files."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import httpx
import pycountry
import pytest

from clicktrail.app import create_app
from clicktrail.config import Settings
from clicktrail.kit.currency import UNITS_AND_FUNDS, bundled_rates, parse_rates
from tests.conftest import settings_for
from tests.support import make_tenant, serving_directory
from tests.test_cli import run_json
from tests.tracking.helpers import Tracker

# The source's layout: units per one unit of the base named by the second key, lower case,
# crypto-assets and retired codes beside the ISO ones.
USD_BASED = {"date": "2026-11-20", "usd": {"usd": 1, "aed": 3.6725, "eur": 0.8, "btc": 1.1e-05,
                                           "zwl": 322.0, "vnd": 26000}}  # fmt: skip
EUR_BASED = {"date": "2026-11-21", "eur": {"eur": 1, "usd": 1.25, "jpy": 180, "sar": 4.6875}}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory and the URL a real HTTP server on 127.0.0.1 serves it at."""
    with serving_directory(tmp_path) as url:
        yield tmp_path, url


def test_the_bundled_snapshot_covers_every_active_iso_currency() -> None:
    table = bundled_rates()
    iso = {currency.alpha_3 for currency in pycountry.currencies}
    assert iso - UNITS_AND_FUNDS - {"USD"} == set(table.rates)
    assert {"AED", "SAR", "ARS", "CLP", "VND", "NGN", "EUR", "JPY"} <= set(table.rates)
    text = resources.files("clicktrail.data").joinpath("fx_rates.json").read_text()
    recorded = json.loads(text)
    assert recorded["package"] == f"@fawazahmed0/currency-api@{table.as_of:%Y.%-m.%-d}"
    assert recorded["licence"].startswith("CC0-1.0")


def test_the_sources_usd_file_keeps_iso_codes_only() -> None:
    table = parse_rates(json.dumps(USD_BASED), "usd.json")
    assert table.as_of == date(2026, 11, 20)
    assert table.rates == {"AED": Decimal("3.6725"), "EUR": Decimal("0.8"), "VND": Decimal(26000)}
    assert table.source == "fawazahmed0/currency-api (usd.json)"


def test_another_base_becomes_rates_per_dollar() -> None:
    table = parse_rates(json.dumps(EUR_BASED), "eur.json")
    assert table.rates == {"EUR": Decimal("0.8"), "JPY": Decimal(144), "SAR": Decimal("3.75")}


def test_fx_update_reads_the_sources_format(settings: Settings, served: tuple[Path, str]) -> None:
    directory, url = served
    (directory / "usd.json").write_text(json.dumps(USD_BASED))
    loaded = run_json(settings, "fx", "update", "--url", f"{url}/usd.json")
    assert (loaded["date"], loaded["currencies"]) == ("2026-11-20", 4)
    assert loaded["source"] == f"fawazahmed0/currency-api ({url}/usd.json)"


Ready = Callable[[httpx.AsyncClient], Awaitable[bool]]


async def newer_rates(client: httpx.AsyncClient) -> bool:
    return bool((await client.get("/health")).json()["fx"]["date"] != "2026-09-29")


async def sale_in_aed(settings: Settings, ready: Ready) -> int:
    """US cents of a sale of 367.25 dirham on an app started with `settings`, once `ready`
    (or after 2 s: some twenty rounds of refresh)."""
    root = create_app(settings)
    async with root.api.router.lifespan_context(root.api):
        transport = httpx.ASGITransport(app=root)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
            for _ in range(40):  # the first load runs at startup, beside the requests
                if await ready(c):
                    break
                await asyncio.sleep(0.05)
            track = Tracker(c, await make_tenant(settings, "acme"), settings)
            click_id = await track.click(await track.link())
            await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
            sale = await track.sale(customerExternalId="u1", amount=36725, currency="AED")
    cents: int = sale["sale"]["amount"]
    return cents


async def test_the_scheduled_refresh_loads_newer_rates(
    database_url: str, served: tuple[Path, str]
) -> None:
    directory, url = served
    newer = {"date": "2026-11-20", "usd": {"usd": 1, "aed": "3.5"}}
    (directory / "usd.json").write_text(json.dumps(newer))
    settings = settings_for(database_url, fx_url=f"{url}/usd.json", fx_refresh=0.1)
    assert await sale_in_aed(settings, newer_rates) == 10493  # 367.25 / 3.5 dollars, not / 3.6725
    stored = run_json(settings, "fx", "status")
    assert (stored["date"], stored["currencies"]) == ("2026-11-20", 2)


async def test_a_failed_refresh_keeps_the_rates_in_force(
    database_url: str, served: tuple[Path, str], caplog: pytest.LogCaptureFixture
) -> None:
    _, url = served
    settings = settings_for(database_url, fx_url=f"{url}/missing.json", fx_refresh=0.1)

    async def logged(_: httpx.AsyncClient) -> bool:
        return "not loaded" in caplog.text

    with caplog.at_level(logging.WARNING, logger="clicktrail.fx.refresh"):
        assert await sale_in_aed(settings, logged) == 10000  # the bundled 3.6725
    assert "not loaded, the old ones stay" in caplog.text
    assert run_json(settings, "fx", "status")["date"] == bundled_rates().as_of.isoformat()


async def test_rates_older_than_those_in_force_are_not_stored(
    database_url: str, served: tuple[Path, str]
) -> None:
    directory, url = served
    older = {"date": "2026-01-02", "usd": {"usd": 1, "aed": "2"}}
    (directory / "usd.json").write_text(json.dumps(older))
    settings = settings_for(database_url, fx_url=f"{url}/usd.json", fx_refresh=0.1)
    assert await sale_in_aed(settings, newer_rates) == 10000  # waits out 2 s of rounds
    assert run_json(settings, "fx", "status")["date"] == bundled_rates().as_of.isoformat()
