"""What a stored link must become now that its URLs and domain are checked on the way in
(migration 0007): cleaned where a browser would have read it the same way, else neutralised."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clicktrail.errors import UnprocessableEntity
from clicktrail.kit.hosts import fold_host, is_host
from clicktrail.links.rules import clean_url

TARGETS = ("expired_url", "ios", "android")
# Browsers drop tabs and line breaks from a URL, so the URL they followed is the one without them.
_DROPPED = str.maketrans("", "", "\t\r\n")


def repaired_url(value: str) -> str | None:
    """`value` as it would be stored today, or None if no cleaning makes it a safe destination."""
    for candidate in (value, value.translate(_DROPPED)):
        try:
            return clean_url(candidate)
        except UnprocessableEntity:
            continue
    return None


def repairs(link: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The column values to change on one stored link (empty when it is fine). A link whose `url`
    or domain cannot be made valid is disabled: it answers 404 until its owner fixes it. A
    target besides `url` that cannot be cleaned is unset: its visitors go to `url`."""
    changes: dict[str, Any] = {}
    url = repaired_url(link["url"])
    if url is not None and url != link["url"]:
        changes["url"] = url
    domain = link["domain"]
    if (url is None or fold_host(domain) != domain or not is_host(domain)) and (
        link["disabled_at"] is None
    ):
        changes["disabled_at"] = now
    for name in TARGETS:
        value = link[name]
        cleaned = repaired_url(value) if value else None
        if cleaned != value:
            changes[name] = cleaned
    geo = _repaired_geo(link["geo"])
    if geo != link["geo"]:
        changes["geo"] = geo
    return changes


def _repaired_geo(geo: object) -> dict[str, str] | None:
    if not isinstance(geo, dict):
        return None
    cleaned = {
        str(country): repaired_url(url) for country, url in geo.items() if isinstance(url, str)
    }
    kept = {country: url for country, url in cleaned.items() if url is not None}
    return kept or None
