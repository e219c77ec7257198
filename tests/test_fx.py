"""Exchange rates: bundled, replaced by `clicktrail fx update`, and visible with their age."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from clicktrail.app import create_app
from clicktrail.config import Settings
from clicktrail.kit.clock import utcnow
from clicktrail.kit.currency import RatesError, bundled_rates, parse_rates
from tests.support import make_tenant, serving_directory
from tests.test_cli import run, run_json
from tests.tracking.helpers import Tracker

ECB_CSV = "Date, USD, JPY, GBP, \n20 November 2026, 1.2500, 180.00, 0.8000, \n"


def test_the_bundled_snapshot_is_dated_and_complete() -> None:
    table = bundled_rates()
    assert table.as_of <= date.today()  # noqa: DTZ011 - a calendar date
    assert {"EUR", "JPY", "GBP", "CHF"} <= set(table.rates)
    assert table.rate("USD") == 1


def test_ecb_rates_per_euro_become_rates_per_dollar() -> None:
    table = parse_rates(ECB_CSV)
    assert table.as_of == date(2026, 11, 20)
    assert float(table.rates["EUR"]) == pytest.approx(0.8)  # 1 / 1.25
    assert float(table.rates["JPY"]) == pytest.approx(144.0)  # 180 / 1.25


@pytest.mark.parametrize(
    "text",
    [
        "not rates",
        '{"date": "2026-11-20", "base": "EUR", "rates": {"USD": "1.1"}}',
        '{"date": "2026-11-20", "rates": {"XXZ": "1.1"}}',
        '{"date": "2026-11-20", "rates": {"EUR": "-1"}}',
    ],
)
def test_bad_rate_files_are_refused(text: str) -> None:
    with pytest.raises(RatesError):
        parse_rates(text)


def test_update_from_a_file_and_status(settings: Settings, tmp_path: Path) -> None:
    before = run_json(settings, "fx", "status")
    assert before["date"] == bundled_rates().as_of.isoformat()
    rates = tmp_path / "eurofxref.csv"
    rates.write_text(ECB_CSV)
    loaded = run_json(settings, "fx", "update", "--file", str(rates))
    assert loaded["date"] == "2026-11-20"
    assert loaded["ageDays"] == (utcnow().date() - date(2026, 11, 20)).days
    assert run_json(settings, "fx", "status") == loaded


def test_a_bad_file_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "rates.json"
    bad.write_text('{"date": "2026-11-20", "rates": {"EUR": "zero"}}')
    done = run(settings, "fx", "update", "--file", str(bad))
    assert done.returncode == 1
    assert "not a rates file" in done.stderr
    assert run_json(settings, "fx", "status")["date"] == bundled_rates().as_of.isoformat()


@pytest.fixture
def rates_url(tmp_path: Path) -> Iterator[str]:
    """Our JSON format, served by a real HTTP server on 127.0.0.1."""
    body = {"date": "2026-11-19", "base": "USD", "rates": {"EUR": "0.9", "JPY": "150"}}
    (tmp_path / "rates.json").write_text(json.dumps(body))
    with serving_directory(tmp_path) as url:
        yield f"{url}/rates.json"


def test_update_from_a_url(settings: Settings, rates_url: str) -> None:
    loaded = run_json(settings, "fx", "update", "--url", rates_url)
    assert (loaded["date"], loaded["currencies"]) == ("2026-11-19", 3)
    missing = run(settings, "fx", "update", "--url", rates_url.replace("rates", "nothing"))
    assert missing.returncode == 1


async def test_sales_after_an_update_use_the_new_rate(settings: Settings, rates_url: str) -> None:
    run_json(settings, "fx", "update", "--url", rates_url)  # 150 JPY to the dollar
    root = create_app(settings)
    async with root.api.router.lifespan_context(root.api):
        transport = httpx.ASGITransport(app=root)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
            track = Tracker(c, await make_tenant(settings, "acme"), settings)
            click_id = await track.click(await track.link())
            await track.lead(clickId=click_id, eventName="Sign up", customerExternalId="u1")
            sale = await track.sale(customerExternalId="u1", amount=1500, currency="JPY")
            [row] = await track.rows("SELECT fx_rate FROM sales")  # while the server folds
    assert sale["sale"]["amount"] == 1000
    assert row["fx_rate"] == "150"


async def test_health_shows_the_rates_in_force(client: httpx.AsyncClient) -> None:
    health = (await client.get("/health")).json()
    table = bundled_rates()
    assert health["fx"]["date"] == table.as_of.isoformat()
    assert health["fx"]["ageDays"] == (utcnow().date() - table.as_of).days
