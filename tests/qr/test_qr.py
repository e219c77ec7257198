"""`GET /qr`: the image a real decoder reads back, its size and colours, SVG on request, bad
parameters refused; and a link's `qrCode`, scanned, records a click with trigger `qr`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from clicktrail.config import Settings
from tests.conftest import BROWSER_UA
from tests.links.helpers import LinksApi, Param, assert_unprocessable
from tests.qr.png import decode, read_png
from tests.support import Tenant, fetch


async def qr(client: httpx.AsyncClient, **params: Param) -> httpx.Response:
    return await client.get("/qr", params=params, headers={"accept": "image/png"})


async def test_png_decodes_to_the_url_at_the_size_and_colours_asked(
    client: httpx.AsyncClient,
) -> None:
    url = "https://example.com/spring?x=1"
    response = await qr(client, url=url, size=300, fgColor="#112233", bgColor="ffeedd", margin=4)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.headers["access-control-allow-origin"] == "*"
    image = read_png(response.content)
    assert decode(image) == [url]
    assert image.width == image.height
    assert 300 - image.width < image.width // 25  # whole pixels per module, never over `size`
    assert image.colors() == {(0x11, 0x22, 0x33), (0xFF, 0xEE, 0xDD)}
    assert image.pixels[0][0] == (0xFF, 0xEE, 0xDD)  # the margin is background


async def test_a_bare_host_is_encoded_as_https(client: httpx.AsyncClient) -> None:
    response = await qr(client, url="example.com/a")
    assert decode(read_png(response.content)) == ["https://example.com/a"]


async def test_a_higher_level_draws_more_modules(client: httpx.AsyncClient) -> None:
    url = "https://example.com/" + "a" * 40
    sides = []
    for level in "LMQH":
        image = read_png((await qr(client, url=url, size=1000, level=level, margin=0)).content)
        assert decode(image) == [url]
        sides.append(image.width // _module(image))
    assert sides == sorted(sides)
    assert sides[0] < sides[-1]


def _module(image: object) -> int:
    """The side of one module: the finder pattern's top-left run is 7 modules."""
    row = image.pixels[0]  # type: ignore[attr-defined]
    return next(x for x, p in enumerate(row) if p != row[0]) // 7


async def test_svg_when_asked_for_with_the_logo_referenced(client: httpx.AsyncClient) -> None:
    params: dict[str, Param] = {
        "url": "https://example.com",
        "size": 256,
        "logo": "https://cdn.example/l.png",
    }
    response = await client.get("/qr", params=params, headers={"accept": "image/svg+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith('<svg width="256" height="256" ')
    assert 'href="https://cdn.example/l.png"' in response.text
    hidden = await client.get(
        "/qr", params={**params, "hideLogo": "true"}, headers={"accept": "image/svg+xml"}
    )
    assert "<image" not in hidden.text


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"url": "javascript:alert(1)"},
        {"url": "https://e.com", "level": "X"},
        {"url": "https://e.com", "fgColor": "red;"},
        {"url": "https://e.com", "size": 0},
        {"url": "https://e.com", "size": 100000},
        {"url": "https://e.com/" + "a" * 3000},
    ],
)
async def test_bad_parameters_are_refused(
    client: httpx.AsyncClient, params: dict[str, Param]
) -> None:
    assert_unprocessable(await qr(client, **params))


async def test_scanning_a_links_qr_code_records_a_qr_click(
    client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    link = await LinksApi(client, tenant).create(url="https://example.com/menu")
    code = await client.get(link["qrCode"], headers={"accept": "image/png"})
    assert code.status_code == 200
    (scanned,) = decode(read_png(code.content))
    assert scanned == f"{link['shortLink']}?qr=1"
    visit = await client.get(scanned, headers={"user-agent": BROWSER_UA})
    assert visit.status_code == 302
    assert urlsplit(visit.headers["location"]).netloc == "example.com"
    assert "qr" not in parse_qs(urlsplit(visit.headers["location"]).query)
    rows = await fetch(settings, "SELECT trigger, qr FROM clicks WHERE link_id = :l", l=link["id"])
    assert [(row["trigger"], bool(row["qr"])) for row in rows] == [("qr", True)]
