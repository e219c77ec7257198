"""The dashboard in a real Chromium against a real server: a person's whole day, then each page
at 390 px wide and by keyboard alone."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.dashboard.browser import Site, new_page, sign_in

SHOTS = os.environ.get("CLICKTRAIL_SCREENSHOTS")  # a folder: save a PNG of every page there


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def create_link(page: Page, where: Site) -> None:
    if page.locator("details[open]").count() == 0:  # open already while there is no link
        page.locator("summary", has_text="Create a link").click()
    page.get_by_label("Destination URL").fill(f"{where.url}/health")
    page.get_by_label("Short key (optional)").fill("spring")
    page.get_by_label("Title (optional)").fill("Spring sale")
    page.get_by_role("button", name="Create link").click()
    expect(page.locator("table.links tbody tr")).to_have_count(1)
    expect(page.locator("a.short")).to_have_text(f"{where.url}/spring")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{where.url}/spring"
    qr = urlsplit(page.get_by_role("link", name="QR code").get_attribute("href") or "")
    assert qr.path == "/qr"
    assert parse_qs(qr.query)["url"] == [f"{where.url}/spring"]


def visit(browser: Browser, where: Site) -> str:
    """A visitor opens the short link; the destination gets the click id."""
    visitor = new_page(browser)
    visitor.goto(f"{where.url}/spring")
    click_id = parse_qs(urlsplit(visitor.url).query)["dub_id"][0]
    visitor.context.close()
    return click_id


def convert(where: Site, click_id: str) -> None:
    lead = where.api(
        "/track/lead",
        {"clickId": click_id, "eventName": "Sign up", "customerExternalId": "ada",
         "customerName": "Ada Lovelace"},
    )  # fmt: skip
    assert lead.status_code == 200, lead.text
    sale = where.api("/track/sale", {"customerExternalId": "ada", "amount": 4900,
                                     "currency": "eur", "eventName": "Purchase"})  # fmt: skip
    assert sale.status_code == 200, sale.text


def chart_sum(page: Page, dataset: int) -> float:
    summed: float = page.evaluate(
        "(i) => Chart.getChart(document.getElementById('chart'))"
        ".data.datasets[i].data.reduce((a, b) => a + b, 0)",
        dataset,
    )
    return summed


def test_a_day_with_the_dashboard(browser: Browser, live_site: Site) -> None:
    page = new_page(browser)
    sign_in(page, live_site)
    create_link(page, live_site)
    convert(live_site, visit(browser, live_site))

    page.reload()
    row = page.locator("table.links tbody tr").first
    expect(row.locator("td").nth(2)).to_have_text("1")  # clicks
    expect(row.locator("td").nth(3)).to_have_text("1")  # leads
    expect(row.locator("td").nth(4)).to_have_text("1")  # sales
    expect(row.locator("td").nth(5)).to_have_text(re.compile(r"^\$\d+\.\d\d$"))
    shoot(page, "links")

    page.get_by_role("link", name="Analytics").click()
    expect(page.locator("#total-clicks")).to_have_text("1")
    expect(page.locator("#total-leads")).to_have_text("1")
    expect(page.locator("#total-sales")).to_have_text("1")
    expect(page.locator("#chart")).to_have_attribute("data-ready", "1")
    assert [chart_sum(page, i) for i in range(3)] == [1, 1, 1]
    assert chart_sum(page, 3) > 0  # revenue, in USD
    shoot(page, "analytics")

    countries = page.locator("section.panel", has=page.get_by_role("heading", name="Countries"))
    countries.get_by_role("link", name="DE").click()
    page.wait_for_url(re.compile(r"country=DE"))
    expect(page.locator(".chips")).to_contain_text("country = DE")
    expect(page.locator("#total-clicks")).to_have_text("1")
    cities = page.locator("section.panel", has=page.get_by_role("heading", name="Cities"))
    expect(cities).to_contain_text("Berlin")

    page.get_by_role("link", name="Customers").click()
    shoot(page, "customers")
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.locator("#journey-clicks")).to_contain_text("spring")
    expect(page.locator("#journey-clicks")).to_contain_text("DE")
    expect(page.locator("#journey-clicks")).to_contain_text("Desktop")
    expect(page.locator("#journey-clicks")).to_contain_text("(direct)")
    expect(page.locator("#journey-leads")).to_contain_text("Sign up")
    expect(page.locator("#journey-sales")).to_contain_text("4900 EUR")
    shoot(page, "customer")

    page.get_by_role("link", name="Events").click()
    expect(page.locator("#events tbody tr")).to_have_count(1)  # the click
    page.get_by_label("Kind").select_option("sales")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#events")).to_contain_text("Purchase")
    shoot(page, "events")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert "Purchase" in Path(download.value.path()).read_text()

    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("URL").fill("https://example.com/hooks")
    page.get_by_label("sale.created").check()
    page.get_by_role("button", name="Create webhook").click()
    expect(page.locator("#new-secret")).to_contain_text("whsec_")
    shoot(page, "webhooks")
    page.locator("#webhooks a").first.click()
    expect(page.get_by_role("heading", name="Delivery log")).to_be_visible()
    shoot(page, "webhook-deliveries")

    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("Laptop")
    page.get_by_role("button", name="Create API key").click()
    expect(page.locator("#new-key")).to_contain_text("dub_")
    shoot(page, "api-keys")

    page.get_by_role("link", name="Settings").click()
    expect(page.locator("main")).to_contain_text("days old")
    shoot(page, "settings")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/dashboard/sign-in")
    shoot(page, "sign-in")
    page.goto(f"{live_site.url}/dashboard/acme/links")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def tab_to(page: Page, selector: str, most: int = 60) -> None:
    """Presses Tab until the element matching `selector` has the focus."""
    target = page.locator(selector)
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def fits(page: Page) -> None:
    """Nothing wider than a 390 px phone: no sideways scrolling of the page."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW_WIDTH, f"{page.url} is {width} px wide"


NARROW_WIDTH = 390


def keyboard_sign_in(page: Page, where: Site) -> None:
    page.goto(f"{where.url}/dashboard/sign-in")
    fits(page)
    tab_to(page, "#email")
    page.keyboard.type(where.email)
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/acme/links")


@pytest.mark.parametrize(
    ("path", "control", "typed", "expected"),
    [
        ("links", "#q", "spring", "q=spring"),
        ("analytics", "button[type=submit] >> text=Show", None, "interval=30d"),
        ("customers", "#q", "ada", "q=ada"),
        ("events", "button[type=submit] >> text=Show", None, "event=clicks"),
        ("keys", "#key-name", "by keyboard", "/keys"),
        ("webhooks", "#hook-url", "https://example.com/k", "/webhooks"),
        ("settings", "text=Sign out", None, "/dashboard/sign-in"),
    ],
)
def test_each_page_at_390_px_by_keyboard_alone(
    browser: Browser, live_site: Site, path: str, control: str, typed: str | None,
    expected: str,
) -> None:  # fmt: skip
    page = new_page(browser, narrow=True)
    keyboard_sign_in(page, live_site)
    page.goto(f"{live_site.url}/dashboard/acme/{path}")
    fits(page)
    tab_to(page, control)
    if typed:
        page.keyboard.type(typed)
    with page.expect_navigation(url=re.compile(re.escape(expected))):
        page.keyboard.press("Enter")
    fits(page)
    page.context.close()
