"""Click geolocation from a MaxMind-format database file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from clicktrail.app import create_app
from clicktrail.config import Settings
from clicktrail.redirect.geo import MaxMindGeoIP
from tests.conftest import BROWSER_UA
from tests.support import fetch, make_tenant

BERLIN = {
    "country": {"iso_code": "DE"},
    "city": {"names": {"en": "Berlin"}},
    "subdivisions": [{"iso_code": "BE"}],
    "continent": {"code": "EU"},
}


@pytest.fixture
def geoip_file(tmp_path: Path) -> Path:
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoIP2-City")
    writer.insert_network(IPSet(["198.51.100.0/24"]), BERLIN)
    path = tmp_path / "city.mmdb"
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def geo_settings(settings: Settings, geoip_file: Path) -> Settings:
    return settings.model_copy(update={"geoip_path": geoip_file})


@pytest.fixture
async def geo_client(geo_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    root = create_app(geo_settings)
    async with root.api.router.lifespan_context(root.api):
        transport = httpx.ASGITransport(app=root, client=("198.51.100.20", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
            yield c


async def test_clicks_are_placed_from_the_geoip_file(
    geo_client: httpx.AsyncClient, geo_settings: Settings
) -> None:
    tenant = await make_tenant(geo_settings, "acme")
    created = await geo_client.post(
        "/links", json={"url": "https://example.com", "key": "geo"}, headers=tenant.auth
    )
    assert created.status_code == 200
    visit = await geo_client.get("/geo", headers={"User-Agent": BROWSER_UA})
    assert visit.status_code == 302
    rows = await fetch(geo_settings, "SELECT country, region, city, continent FROM clicks")
    assert rows == [{"country": "DE", "region": "BE", "city": "Berlin", "continent": "EU"}]


def test_an_address_outside_the_file_is_unknown(geoip_file: Path) -> None:
    geoip = MaxMindGeoIP(geoip_file)
    assert geoip.lookup("192.0.2.1") is None
    assert geoip.lookup("not an ip") is None
    place = geoip.lookup("198.51.100.7")
    assert place is not None
    assert (place.country, place.city) == ("DE", "Berlin")
