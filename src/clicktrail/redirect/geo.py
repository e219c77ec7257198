"""Where a visitor is: from a MaxMind-format database when configured, else from the headers
that a trusted proxy or CDN in front of us sets (Cloudflare, Vercel)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

import maxminddb

UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class Place:
    country: str = UNKNOWN
    region: str = UNKNOWN
    city: str = UNKNOWN
    continent: str = ""


class GeoIP(Protocol):
    def lookup(self, ip: str) -> Place | None: ...


class NullGeoIP:
    def lookup(self, ip: str) -> Place | None:  # noqa: ARG002 - the protocol's signature
        return None


class MaxMindGeoIP:
    def __init__(self, path: Path) -> None:
        self._reader = maxminddb.open_database(str(path))

    def lookup(self, ip: str) -> Place | None:
        try:
            record: Any = self._reader.get(ip)
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
        subdivisions = record.get("subdivisions") or [{}]
        return Place(
            country=(record.get("country") or {}).get("iso_code") or UNKNOWN,
            region=subdivisions[0].get("iso_code") or UNKNOWN,
            city=((record.get("city") or {}).get("names") or {}).get("en") or UNKNOWN,
            continent=(record.get("continent") or {}).get("code") or "",
        )


def from_headers(headers: dict[str, str]) -> Place:
    """Only called for requests whose peer is a trusted proxy."""
    country = headers.get("cf-ipcountry") or headers.get("x-vercel-ip-country") or UNKNOWN
    return Place(
        country=country.upper() if country != UNKNOWN else country,
        region=headers.get("x-vercel-ip-country-region")
        or headers.get("cf-region-code")
        or UNKNOWN,
        # Vercel percent-encodes the city (RFC 3986); "S%C3%A3o%20Paulo" is São Paulo.
        city=unquote(headers.get("x-vercel-ip-city", "")) or headers.get("cf-ipcity") or UNKNOWN,
        continent=headers.get("x-vercel-ip-continent") or headers.get("cf-ipcontinent") or "",
    )


def geoip_from_path(path: Path | None) -> GeoIP:
    return MaxMindGeoIP(path) if path is not None else NullGeoIP()
